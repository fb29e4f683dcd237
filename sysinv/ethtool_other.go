//go:build !linux

package sysinv

import "errors"

// ethtoolDrvinfo is Linux-only.
func ethtoolDrvinfo(string) (ethtoolInfo, error) {
	return ethtoolInfo{}, errors.New("ethtool is Linux-only")
}

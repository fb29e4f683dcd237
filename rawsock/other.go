//go:build !linux && !windows

package rawsock

import (
	"fmt"
	"os"
	"runtime"
)

func pageSize() int { return os.Getpagesize() }

func open(string, Config) (Source, error) {
	return nil, errNoCapture()
}

func interfaceLinkType(string) (LinkType, error) { return 0, errNoCapture() }

func errNoCapture() error {
	return fmt.Errorf("%w (%s): capture on Linux or Windows, or decode a capture file with 'wirebom read -r FILE'", ErrNotSupported, runtime.GOOS)
}

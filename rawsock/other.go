//go:build !linux

package rawsock

import "os"

func pageSize() int { return os.Getpagesize() }

func open(string, Config) (Source, error) { return nil, ErrNotSupported }

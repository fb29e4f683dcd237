//go:build !linux && !windows

package rawsock

func addPlatformDetails(*Interface) {}

//go:build !linux

package rawsock

func addPlatformDetails(*Interface) {}

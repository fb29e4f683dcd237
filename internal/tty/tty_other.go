//go:build !linux && !darwin && !freebsd && !netbsd && !openbsd && !windows

package tty

func isTerminal(uintptr) bool { return false }

//go:build darwin || freebsd || netbsd || openbsd

package tty

import "golang.org/x/sys/unix"

const ioctlGetTermios = unix.TIOCGETA

//go:build unix

package sysinv

import "syscall"

// openFlags: never block on a FIFO, never follow a final symlink swapped in
// after resolution, never leak the descriptor into a child.
const openFlags = syscall.O_NONBLOCK | syscall.O_NOFOLLOW | syscall.O_CLOEXEC

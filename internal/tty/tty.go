// Package tty tells whether a file is an interactive terminal, to decide
// when live status lines and progress bars belong on stderr.
package tty

import "os"

// IsTerminal reports whether f is a terminal.
func IsTerminal(f *os.File) bool { return isTerminal(f.Fd()) }

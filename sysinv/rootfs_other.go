//go:build !unix

package sysinv

// openFlags: no extra flags where O_NOFOLLOW and O_NONBLOCK do not exist; the
// regular-file check after opening still applies.
const openFlags = 0

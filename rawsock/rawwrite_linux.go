//go:build linux

package rawsock

import (
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// directWriter returns a write function that bypasses the Go runtime's
// system-call bookkeeping, for outputs whose writes cannot block for long:
// regular files and the null device. A capture writes once per ring block
// right after the reader wakes, and the runtime's bookkeeping of that
// system call wakes its monitor thread (sysmon), which then polls every
// 20 µs for a millisecond or more: ~8 % of a capture's CPU. Pipes, sockets
// and terminals can block for as long as the reader downstream likes, so
// they keep the ordinary write (nil).
func directWriter(f *os.File) func([]byte) (int, error) {
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return nil
	}
	isNull := st.Mode&unix.S_IFMT == unix.S_IFCHR && unix.Major(st.Rdev) == 1 && unix.Minor(st.Rdev) == 3
	if st.Mode&unix.S_IFMT != unix.S_IFREG && !isNull {
		return nil
	}
	fd := uintptr(f.Fd())
	return func(b []byte) (int, error) {
		n := 0
		for n < len(b) {
			m, _, e := unix.RawSyscall(unix.SYS_WRITE, fd, uintptr(unsafe.Pointer(&b[n])), uintptr(len(b)-n))
			switch {
			case e == unix.EINTR:
				continue
			case e != 0:
				return n, &os.PathError{Op: "write", Path: f.Name(), Err: e}
			case m == 0:
				return n, &os.PathError{Op: "write", Path: f.Name(), Err: unix.EIO}
			}
			n += int(m)
		}
		return n, nil
	}
}

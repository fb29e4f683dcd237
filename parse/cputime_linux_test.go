package parse

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// threadCPU returns the CPU time (user+sys, ns) of the whole process, so
// that garbage collection on other threads counts too; the benchmark is
// the only thing running. Benchmarks report it next to wall time because
// on a shared machine wall time mostly measures the other tenants.
func threadCPU() int64 {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

func lockThread()   { runtime.LockOSThread() }
func unlockThread() { runtime.UnlockOSThread() }

//go:build !linux

package parse

func threadCPU() int64 { return 0 }
func lockThread()      {}
func unlockThread()    {}

//go:build !linux

package rawsock

// iovec stands for a writev segment; rings exist on Linux only.
type iovec struct{}

// writeRing is never reached: only Linux rings set Batch.mem.
func (w *Writer) writeRing(_ []byte, frames []Frame) (int, error) {
	k, err := w.WriteFrames(frames)
	if err == nil {
		err = w.Flush()
	}
	return k, err
}

// writevState stands for a writev in progress; rings exist on Linux only.
type writevState struct{}

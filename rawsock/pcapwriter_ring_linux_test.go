package rawsock

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// ringBatch lays n frames of mixed sizes (some VLAN-tagged by the "kernel")
// out in a synthetic ring block and walks it, as ReadBatch does.
func ringBatch(t *testing.T, n int, snaplen int) *Batch {
	t.Helper()
	var sf []synthFrame
	size := blockHeaderLen
	for i := range n {
		f := synthFrame{data: frameBytes(60+(i*37)%1455, byte(i))}
		if i%5 == 1 {
			f.vlanTCI, f.status = uint32(i%4094+1), tpStatusVLANValid
		}
		sf = append(sf, f)
		size += 82 + len(f.data) + 16
	}
	blk := buildBlock(size, sf)
	frames, err := walkBlock(blk, snaplen, 1, true, nil)
	if err != nil || len(frames) != n {
		t.Fatalf("walk: %d frames, %v", len(frames), err)
	}
	return &Batch{Frames: frames, mem: blk}
}

// copyPath writes frames through the buffer, the path WriteBatch replaces.
func copyPath(t *testing.T, frames []Frame, snaplen int) []byte {
	t.Helper()
	var out bytes.Buffer
	w, err := NewWriter(&out, FormatPcap, LinkTypeEthernet, snaplen)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteFrames(frames); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(nil); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestWriteBatchFromRing: records written straight from ring memory (to a
// file and, in pieces, to a pipe) are byte for byte those of the copy path,
// over more than one writev's worth of frames, with VLAN tags put back, a
// snaplen cut, and a frame that is not in the block.
func TestWriteBatchFromRing(t *testing.T) {
	for _, tc := range []struct {
		name    string
		n       int
		snaplen int
		foreign int // index of a frame replaced by one outside the block, or -1
	}{
		{"one-writev", 300, DefaultSnaplen, -1},
		{"several-writevs", 2*iovMax + 77, DefaultSnaplen, -1},
		{"snaplen", 500, 100, -1},
		{"foreign-frame", 1500, DefaultSnaplen, 1200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := ringBatch(t, tc.n, tc.snaplen)
			if tc.foreign >= 0 {
				b.Frames[tc.foreign].Data = append([]byte(nil), b.Frames[tc.foreign].Data...)
			}
			// The copy path first: WriteBatch overwrites the ring's frame headers.
			want := copyPath(t, b.Frames, tc.snaplen)

			for _, out := range []string{"file", "pipe"} {
				t.Run(out, func(t *testing.T) {
					b := ringBatch(t, tc.n, tc.snaplen)
					if tc.foreign >= 0 {
						b.Frames[tc.foreign].Data = append([]byte(nil), b.Frames[tc.foreign].Data...)
					}
					var got []byte
					var f *os.File
					done := make(chan []byte)
					if out == "file" {
						var err error
						if f, err = os.Create(filepath.Join(t.TempDir(), "x.pcap")); err != nil {
							t.Fatal(err)
						}
					} else {
						r, wp, err := os.Pipe()
						if err != nil {
							t.Fatal(err)
						}
						f = wp
						go func() { b, _ := io.ReadAll(r); r.Close(); done <- b }()
					}
					w, err := NewWriter(f, FormatPcap, LinkTypeEthernet, tc.snaplen)
					if err != nil {
						t.Fatal(err)
					}
					if k, err := w.WriteBatch(b, b.Frames); err != nil || k != tc.n {
						t.Fatalf("WriteBatch took %d of %d: %v", k, tc.n, err)
					}
					if err := w.Close(nil); err != nil {
						t.Fatal(err)
					}
					if w.Packets() != uint64(tc.n) || w.PacketsWritten() != uint64(tc.n) {
						t.Fatalf("counted %d accepted, %d written, want %d", w.Packets(), w.PacketsWritten(), tc.n)
					}
					if out == "file" {
						if got, err = os.ReadFile(f.Name()); err != nil {
							t.Fatal(err)
						}
					} else {
						f.Close()
						got = <-done
					}
					f.Close()
					if !bytes.Equal(got, want) {
						t.Fatalf("ring path wrote %d bytes, copy path %d; first difference at %d", len(got), len(want), firstDiff(got, want))
					}
				})
			}
		})
	}
}

// TestWriteBatchCopyPathSources: batches that are not ring blocks (the
// fallback socket, files, pcapng) go through the buffer as before.
func TestWriteBatchCopyPathSources(t *testing.T) {
	b := ringBatch(t, 50, DefaultSnaplen)
	plain := &Batch{Frames: b.Frames} // no ring memory
	var out bytes.Buffer
	w, err := NewWriter(&out, FormatPcap, LinkTypeEthernet, DefaultSnaplen)
	if err != nil {
		t.Fatal(err)
	}
	if k, err := w.WriteBatch(plain, plain.Frames); err != nil || k != 50 {
		t.Fatalf("took %d: %v", k, err)
	}
	if w.PacketsWritten() != 0 {
		t.Fatalf("%d records written before Flush: the copy path buffers", w.PacketsWritten())
	}
	if err := w.Close(nil); err != nil {
		t.Fatal(err)
	}
	if want := copyPath(t, b.Frames, DefaultSnaplen); !bytes.Equal(out.Bytes(), want) {
		t.Fatalf("differs at %d", firstDiff(out.Bytes(), want))
	}
}

// TestWriteBatchShortDevice: a device that takes no more (here /dev/full)
// ends the batch with a WriteError and counts nothing as written.
func TestWriteBatchShortDevice(t *testing.T) {
	f, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// The file header goes out first and fails the same way.
	if _, err := NewWriter(f, FormatPcap, LinkTypeEthernet, DefaultSnaplen); err == nil {
		t.Fatal("NewWriter on /dev/full succeeded")
	}
	w := &Writer{out: f, snaplen: DefaultSnaplen}
	w.raw, _ = f.SyscallConn()
	b := ringBatch(t, 10, DefaultSnaplen)
	k, err := w.WriteBatch(b, b.Frames)
	var we *WriteError
	if err == nil || !errors.As(err, &we) || we.Bytes != 0 || w.PacketsWritten() != 0 || k != 1 {
		t.Fatalf("took %d, err %v, written %d", k, err, w.PacketsWritten())
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestWriteBatchAllocs: writing a ring block allocates nothing once the
// Writer is set up.
func TestWriteBatchAllocs(t *testing.T) {
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := NewWriter(f, FormatPcap, LinkTypeEthernet, DefaultSnaplen)
	if err != nil {
		t.Fatal(err)
	}
	b := ringBatch(t, 1500, DefaultSnaplen)
	if allocs := testing.AllocsPerRun(20, func() {
		if _, err := w.WriteBatch(b, b.Frames); err != nil {
			t.Fatal(err)
		}
	}); allocs != 0 {
		t.Fatalf("%.1f allocations per batch", allocs)
	}
}

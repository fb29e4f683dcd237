//go:build linux

package rawsock

import (
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mdlayher/packet"
	"golang.org/x/sys/unix"
)

// fallbackHandle reads frames one by one from a plain AF_PACKET socket
// (mdlayher/packet) where no ring can be set up. A batch holds one frame,
// read into a buffer lent from the handle's pool until the batch is released.
type fallbackHandle struct {
	conn    *packet.Conn
	ifindex int
	snaplen int
	lt      LinkType
	poolMu  sync.Mutex
	bufs    [][]byte // every buffer ever lent, indexed by Batch.block
	free    []int    // indexes of buffers not lent
	mu      sync.Mutex
	closed  atomic.Bool
	stats   Stats
	statsMu sync.Mutex
}

func openFallback(ifi *net.Interface, lt LinkType, cfg Config) (Source, error) {
	conn, err := packet.Listen(ifi, packet.Raw, unix.ETH_P_ALL, nil)
	if err != nil {
		if errors.Is(err, os.ErrPermission) || errors.Is(err, unix.EPERM) {
			return nil, fmt.Errorf("%w: %v", ErrPermission, err)
		}
		return nil, err
	}
	if rc, err := conn.SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) { //nolint:errcheck // best effort, as below
			// Without a ring the socket buffer is all there is: make it as
			// large as the ring would have been (FORCE needs CAP_NET_ADMIN;
			// otherwise the kernel caps SO_RCVBUF at net.core.rmem_max).
			if unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, cfg.BufferSize) != nil {
				_ = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF, cfg.BufferSize)
			}
			if ifi.Flags&net.FlagLoopback != 0 {
				_ = unix.SetsockoptInt(int(fd), unix.SOL_PACKET, unix.PACKET_IGNORE_OUTGOING, 1)
			}
		})
	}
	ins, err := kernelProgram(cfg, false)
	if err != nil {
		conn.Close()
		return nil, err
	}
	if ins != nil {
		if err := conn.SetBPF(ins); err != nil {
			conn.Close()
			return nil, fmt.Errorf("rawsock: attach filter: %w", err)
		}
	}
	if !cfg.NoPromisc {
		if err := conn.SetPromiscuous(true); err != nil {
			conn.Close()
			return nil, fmt.Errorf("rawsock: promiscuous mode: %w", err)
		}
	}
	return &fallbackHandle{conn: conn, ifindex: ifi.Index, snaplen: cfg.Snaplen, lt: lt}, nil
}

func (h *fallbackHandle) Ring() bool { return false }

func (h *fallbackHandle) LinkType() LinkType { return h.lt }

// ReleaseBlock returns a lent buffer to the pool.
func (h *fallbackHandle) ReleaseBlock(i int) {
	h.poolMu.Lock()
	h.free = append(h.free, i)
	h.poolMu.Unlock()
}

func (h *fallbackHandle) lend() int {
	h.poolMu.Lock()
	defer h.poolMu.Unlock()
	if n := len(h.free); n > 0 {
		i := h.free[n-1]
		h.free = h.free[:n-1]
		return i
	}
	h.bufs = append(h.bufs, make([]byte, maxFrame))
	return len(h.bufs) - 1
}

// ReadBatch returns one frame, copied into the handle's buffer. Unlike the
// ring, the VLAN tag the kernel may have stripped is not restored here.
func (h *fallbackHandle) ReadBatch(b *Batch) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	b.Release()
	if h.closed.Load() {
		return ErrClosed
	}
	i := h.lend()
	h.poolMu.Lock()
	buf := h.bufs[i]
	h.poolMu.Unlock()
	n, _, err := h.conn.ReadFrom(buf)
	if err != nil {
		h.ReleaseBlock(i)
		if h.closed.Load() {
			return ErrClosed
		}
		if errors.Is(err, unix.ENETDOWN) {
			return fmt.Errorf("%w: %v", ErrInterfaceGone, err)
		}
		return err
	}
	caplen := min(n, h.snaplen)
	b.Frames = append(b.Frames[:0], Frame{
		Timestamp: time.Now(), CaptureLength: caplen, Length: n,
		InterfaceIndex: h.ifindex, Data: buf[:caplen:caplen],
	})
	b.owner, b.block = h, i
	h.statsMu.Lock()
	h.stats.Captured++
	h.statsMu.Unlock()
	return nil
}

func (h *fallbackHandle) Stats() (Stats, error) {
	h.statsMu.Lock()
	defer h.statsMu.Unlock()
	if h.closed.Load() {
		return h.stats, nil
	}
	st, err := h.conn.Stats()
	if err != nil {
		return h.stats, err
	}
	h.stats.Received += uint64(st.Packets)
	h.stats.Dropped += uint64(st.Drops)
	return h.stats, nil
}

func (h *fallbackHandle) Close() error {
	if _, err := h.Stats(); err != nil {
		_ = err // keep what we have
	}
	h.closed.Store(true)
	return h.conn.Close()
}

//go:build linux

package rawsock

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// ringHandle is a TPACKET_V3 RX ring on an AF_PACKET socket.
//
// The socket is non-blocking and registered with the Go runtime's poller, so
// a reader waiting for a block parks its goroutine (no thread, no CPU) and
// Close wakes it through the poller.
type ringHandle struct {
	file *os.File
	raw  interface {
		Read(func(uintptr) bool) error
	}
	fd      int
	ifindex int
	snaplen int
	lt      LinkType

	mem       []byte
	blockSize int
	nblocks   int
	next      int  // next block to read, owned by the reader
	warm      byte // what warmBlock read, kept so its loads stay

	mu     sync.Mutex // serializes ReadBatch and Close
	closed atomic.Bool

	// The poller's callback in wait and its state, made once: a closure
	// per wait would be an allocation per block. Guarded by mu.
	ready   func(fd uintptr) bool
	woken   bool
	sockErr error

	// memMu guards the mapping: it goes away at Close, or at the last
	// Release after Close, so frames of an unreleased batch stay readable.
	memMu       sync.Mutex
	outstanding int
	lent        []bool        // blocks handed out and not yet released
	released    chan struct{} // signalled on every release, for a reader that lapped the ring
	done        chan struct{} // closed by Close

	statsMu sync.Mutex
	stats   Stats
}

func pageSize() int { return os.Getpagesize() }

func open(iface string, cfg Config) (Source, error) {
	if iface == AnyInterface {
		// Cooked headers come from the ring's frame headers: a plain
		// socket has no fallback to offer here.
		if cfg.NoRing {
			return nil, fmt.Errorf("rawsock: the %s device needs the TPACKET_V3 ring", AnyInterface)
		}
		return openRing(&net.Interface{Name: AnyInterface}, LinkTypeLinuxSLL, cfg)
	}
	ifi, err := lookupInterface(iface)
	if err != nil {
		return nil, err
	}
	lt, err := linkTypeOf(ifi.Name)
	if err != nil {
		return nil, err
	}
	if cfg.NoRing {
		return openFallback(ifi, lt, cfg)
	}
	h, err := openRing(ifi, lt, cfg)
	if err == nil {
		return h, nil
	}
	if errors.Is(err, ErrPermission) || errors.Is(err, ErrInterfaceDown) {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "wirebom: no TPACKET_V3 ring on %s (%v); falling back to a plain packet socket\n", ifi.Name, err)
	return openFallback(ifi, lt, cfg)
}

func interfaceLinkType(iface string) (LinkType, error) {
	if iface == AnyInterface {
		return LinkTypeLinuxSLL, nil
	}
	ifi, err := lookupInterface(iface)
	if err != nil {
		return 0, err
	}
	return linkTypeOf(ifi.Name)
}

func lookupInterface(name string) (*net.Interface, error) {
	ifi, err := net.InterfaceByName(name)
	if err != nil {
		names := []string{}
		if all, err := net.Interfaces(); err == nil {
			for _, i := range all {
				names = append(names, i.Name)
			}
		}
		return nil, fmt.Errorf("%w %q (available: %v)", ErrNoSuchInterface, name, names)
	}
	if ifi.Flags&net.FlagUp == 0 {
		return nil, fmt.Errorf("%w: %s (bring it up with: ip link set %s up)", ErrInterfaceDown, name, name)
	}
	return ifi, nil
}

// kernelProgram returns the filter the kernel runs for cfg (nil: none):
// the checks that drop the any device's loopback copies (anyDevice) and
// frames of the other direction (Config.Direction), then the caller's
// filter, rewritten for the any device's cooked view, or one that cuts
// frames at the snapshot length.
func kernelProgram(cfg Config, anyDevice bool) ([]bpf.RawInstruction, error) {
	prog := cfg.Filter
	if prog == nil && (cfg.Snaplen < DefaultSnaplen || anyDevice || cfg.Direction != DirectionInOut) {
		// Let the kernel cut frames at the snaplen instead of copying them whole.
		prog = []bpf.RawInstruction{{Op: 0x06, K: uint32(cfg.Snaplen)}} // ret #snaplen
	}
	var pre []bpf.Instruction
	if anyDevice {
		var err error
		if prog, err = cookedKernelFilter(prog); err != nil {
			return nil, err
		}
		pre = skipLoopbackOutgoing(uint32(loopbackIndex()))
	}
	pre = append(pre, keepDirection(cfg.Direction)...)
	if len(pre) == 0 {
		return prog, nil
	}
	head, err := bpf.Assemble(pre)
	if err != nil {
		return nil, err
	}
	return append(head, prog...), nil
}

// loopbackIndex is the index of the caller's network namespace's loopback
// interface (always 1 in Linux, but asked).
func loopbackIndex() int {
	if all, err := net.Interfaces(); err == nil {
		for _, i := range all {
			if i.Flags&net.FlagLoopback != 0 {
				return i.Index
			}
		}
	}
	return 1
}

// Hardware types (linux/if_arp.h) whose frames wirebom can capture.
const (
	arphrdEther    = 1
	arphrdLoopback = 772
	// arphrdNone is a device without a link header: tun and WireGuard
	// interfaces hand over bare IP packets.
	arphrdNone = 0xfffe
)

// linkTypeOf maps the interface's hardware type to the link type of what
// an AF_PACKET socket receives on it: Ethernet framing for Ethernet and
// loopback devices, bare IP (LINKTYPE_RAW) for tun and WireGuard. Other
// hardware types (PPP, CAN, InfiniBand, GRE...) are refused with
// ErrNotSupported: their frames would be written under a wrong link type
// and misread by every tool. The hardware type comes from SIOCGIFHWADDR in
// the caller's network namespace; when it cannot be read, Ethernet is
// assumed (the capture will show).
func linkTypeOf(name string) (LinkType, error) {
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return LinkTypeEthernet, nil
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return LinkTypeEthernet, nil
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFHWADDR, ifr); err != nil {
		return LinkTypeEthernet, nil
	}
	switch t := ifr.Uint16(); t { // sa_family of ifr_hwaddr: the ARPHRD_* type
	case arphrdEther, arphrdLoopback:
		return LinkTypeEthernet, nil
	case arphrdNone:
		return LinkTypeRaw, nil
	default:
		return 0, &HardwareTypeError{Interface: name, Type: t}
	}
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

func wrapOpenErr(op string, err error) error {
	if errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) {
		return fmt.Errorf("%w: %s: %v", ErrPermission, op, err)
	}
	return &net.OpError{Op: op, Net: "packet", Err: err}
}

func openRing(ifi *net.Interface, lt LinkType, cfg Config) (_ *ringHandle, err error) {
	// Protocol 0: the socket receives nothing until bind names a protocol,
	// so no frame arrives before the ring and the filter are in place.
	// Interfaces frame differently, so the any device takes packets
	// without their link header (SOCK_DGRAM) and gets cooked ones.
	typ := unix.SOCK_RAW
	if lt == LinkTypeLinuxSLL {
		typ = unix.SOCK_DGRAM
	}
	fd, err := unix.Socket(unix.AF_PACKET, typ|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, wrapOpenErr("socket", err)
	}
	defer func() {
		if err != nil {
			unix.Close(fd)
		}
	}()
	if err := unix.SetsockoptInt(fd, unix.SOL_PACKET, unix.PACKET_VERSION, unix.TPACKET_V3); err != nil {
		return nil, wrapOpenErr("setsockopt PACKET_VERSION", err)
	}
	// On loopback every frame passes twice, outgoing and incoming: keep one,
	// as libpcap does.
	if ifi.Flags&net.FlagLoopback != 0 {
		if err := unix.SetsockoptInt(fd, unix.SOL_PACKET, unix.PACKET_IGNORE_OUTGOING, 1); err != nil {
			return nil, wrapOpenErr("setsockopt PACKET_IGNORE_OUTGOING", err)
		}
	}
	// Room in front of each frame to put back a stripped VLAN tag in place
	// (a cooked header has room of its own: the kernel leaves 16 bytes).
	if err := unix.SetsockoptInt(fd, unix.SOL_PACKET, unix.PACKET_RESERVE, vlanTagLen); err != nil {
		return nil, wrapOpenErr("setsockopt PACKET_RESERVE", err)
	}
	nblocks := cfg.BufferSize / cfg.BlockSize
	frameSize := 2048 // only used by the kernel to check the geometry in V3
	req := unix.TpacketReq3{
		Block_size:       uint32(cfg.BlockSize),
		Block_nr:         uint32(nblocks),
		Frame_size:       uint32(frameSize),
		Frame_nr:         uint32(cfg.BufferSize / frameSize),
		Retire_blk_tov:   uint32(cfg.RetireTimeout.Milliseconds()),
		Sizeof_priv:      0,
		Feature_req_word: 0,
	}
	if err := unix.SetsockoptTpacketReq3(fd, unix.SOL_PACKET, unix.PACKET_RX_RING, &req); err != nil {
		return nil, wrapOpenErr("setsockopt PACKET_RX_RING", err)
	}
	// The kernel maps every ring page at mmap time and ring pages are never
	// swapped: MAP_POPULATE or MAP_LOCKED would only add start-up cost
	// (measured: 0.13 s of system time for a 64 MiB ring).
	mem, err := unix.Mmap(fd, 0, cfg.BufferSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, wrapOpenErr("mmap", err)
	}
	defer func() {
		if err != nil {
			unix.Munmap(mem)
		}
	}()
	if err := setupSocket(fd, ifi, cfg); err != nil {
		return nil, err
	}
	file := os.NewFile(uintptr(fd), "packet:"+ifi.Name)
	rc, err := file.SyscallConn()
	if err != nil {
		file.Close()
		return nil, err
	}
	h := &ringHandle{
		file: file, raw: rc, fd: fd, ifindex: ifi.Index, snaplen: cfg.Snaplen, lt: lt,
		mem: mem, blockSize: cfg.BlockSize, nblocks: nblocks,
		lent: make([]bool, nblocks), released: make(chan struct{}, 1), done: make(chan struct{}),
	}
	h.ready = h.readyToRead
	return h, nil
}

// setupSocket attaches the filter, binds to the interface, then sets
// promiscuous mode and fanout (both need the bound socket). Index 0 is the
// any device: its filter is rewritten for the kernel's view of cooked
// packets and drops loopback frames going out, and promiscuous mode does
// not apply to it.
func setupSocket(fd int, ifi *net.Interface, cfg Config) error {
	prog, err := kernelProgram(cfg, ifi.Index == 0)
	if err != nil {
		return err
	}
	if prog != nil {
		if err := attachFilter(fd, prog); err != nil {
			return err
		}
	}
	sa := &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ALL), Ifindex: ifi.Index}
	if err := unix.Bind(fd, sa); err != nil {
		if errors.Is(err, unix.ENETDOWN) {
			return fmt.Errorf("%w: %s", ErrInterfaceDown, ifi.Name)
		}
		return wrapOpenErr("bind", err)
	}
	if !cfg.NoPromisc && ifi.Index != 0 {
		mreq := unix.PacketMreq{Ifindex: int32(ifi.Index), Type: unix.PACKET_MR_PROMISC}
		if err := unix.SetsockoptPacketMreq(fd, unix.SOL_PACKET, unix.PACKET_ADD_MEMBERSHIP, &mreq); err != nil {
			return wrapOpenErr("setsockopt PACKET_ADD_MEMBERSHIP", err)
		}
	}
	if cfg.FanoutGroup != 0 {
		// group id | (type | flags) << 16, as the kernel's 32-bit int.
		arg := uint32(cfg.FanoutGroup) | uint32(cfg.FanoutMode)<<16
		if cfg.FanoutMode == FanoutHash {
			arg |= unix.PACKET_FANOUT_FLAG_DEFRAG << 16
		}
		if err := unix.SetsockoptInt(fd, unix.SOL_PACKET, unix.PACKET_FANOUT, int(int32(arg))); err != nil {
			return wrapOpenErr("setsockopt PACKET_FANOUT", err)
		}
	}
	return nil
}

func attachFilter(fd int, prog []bpf.RawInstruction) error {
	if len(prog) == 0 || len(prog) > 4096 {
		return fmt.Errorf("rawsock: filter program has %d instructions: need 1 to 4096", len(prog))
	}
	f := make([]unix.SockFilter, len(prog))
	for i, ins := range prog {
		f[i] = unix.SockFilter{Code: ins.Op, Jt: ins.Jt, Jf: ins.Jf, K: ins.K}
	}
	fp := unix.SockFprog{Len: uint16(len(f)), Filter: &f[0]}
	if err := unix.SetsockoptSockFprog(fd, unix.SOL_SOCKET, unix.SO_ATTACH_FILTER, &fp); err != nil {
		return wrapOpenErr("setsockopt SO_ATTACH_FILTER", err)
	}
	return nil
}

func (h *ringHandle) Ring() bool { return true }

func (h *ringHandle) LinkType() LinkType { return h.lt }

func (h *ringHandle) block(i int) []byte {
	return h.mem[i*h.blockSize : (i+1)*h.blockSize : (i+1)*h.blockSize]
}

func blockStatus(b []byte) uint32 {
	return atomic.LoadUint32((*uint32)(unsafe.Pointer(&b[bdBlockStatus])))
}

func setBlockKernel(b []byte) {
	atomic.StoreUint32((*uint32)(unsafe.Pointer(&b[bdBlockStatus])), 0)
}

// ReadBatch waits for the next block the kernel hands over and returns its
// frames. The batch must be released before the block can be reused; a
// reader that holds several batches must release them in order.
func (h *ringHandle) ReadBatch(b *Batch) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	b.Release()
	for {
		blk, err := h.nextBlock()
		if err != nil {
			return err
		}
		h.warm += warmBlock(blk)
		b.Frames, err = walkBlock(blk, h.snaplen, h.ifindex, h.lt, b.Frames[:0])
		h.count(len(b.Frames), err)
		b.owner, b.block = h, h.next
		h.memMu.Lock()
		h.outstanding++
		h.lent[h.next] = true
		b.Behind = h.behindLocked()
		h.memMu.Unlock()
		h.next = (h.next + 1) % h.nblocks
		if len(b.Frames) == 0 {
			b.Release()
			continue
		}
		return nil
	}
}

// ReadRecords implements RecordReader: the block goes back to the kernel
// as soon as its frames are in w's buffer. Unlike ReadBatch it does not
// warm the block first: laying records out reads the block front to back
// once, which the CPU's prefetchers follow, and the warming pass only cost
// more (measured in docs/PERFORMANCE.md).
func (h *ringHandle) ReadRecords(w *Writer, limit int) (int, uint64, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for {
		if w.err != nil {
			return 0, 0, w.err
		}
		blk, err := h.nextBlock()
		if err != nil {
			return 0, 0, err
		}
		n, wire, err := w.appendRingBlock(blk, h.lt, limit)
		h.count(n, err)
		setBlockKernel(blk)
		h.next = (h.next + 1) % h.nblocks
		if n > 0 {
			return n, wire, nil
		}
	}
}

// Behind implements RecordReader: Batch.Behind of the block read last.
func (h *ringHandle) Behind() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.memMu.Lock()
	defer h.memMu.Unlock()
	if h.mem == nil {
		return 0
	}
	return h.filledFrom(h.next)
}

// behindLocked counts the filled blocks after h.next that the reader has
// not taken yet, up to MaxBehind. The caller holds h.mu and h.memMu.
func (h *ringHandle) behindLocked() int { return h.filledFrom(h.next + 1) }

// filledFrom counts the blocks from block i on that the kernel has filled
// and the reader has not taken, up to MaxBehind. The caller holds h.mu and
// h.memMu.
func (h *ringHandle) filledFrom(i int) int {
	n := 0
	for ; n < MaxBehind && n < h.nblocks-1; i++ {
		k := i % h.nblocks
		if h.lent[k] || blockStatus(h.block(k))&tpStatusUser == 0 {
			break
		}
		n++
	}
	return n
}

// nextBlock waits until the block at h.next is user space's, and returns
// it. The caller holds h.mu.
func (h *ringHandle) nextBlock() ([]byte, error) {
	for {
		if h.closed.Load() {
			return nil, ErrClosed
		}
		h.memMu.Lock()
		lapped := h.lent[h.next]
		h.memMu.Unlock()
		if lapped {
			// Every block is out with consumers: wait for one to come back
			// (meanwhile the kernel counts what it cannot store as drops).
			select {
			case <-h.released:
			case <-h.done:
			}
			continue
		}
		blk := h.block(h.next)
		if blockStatus(blk)&tpStatusUser == 0 {
			if err := h.wait(); err != nil {
				return nil, err
			}
			continue
		}
		return blk, nil
	}
}

// count adds a walked block's frames to the statistics; err is the walk's.
func (h *ringHandle) count(frames int, err error) {
	h.statsMu.Lock()
	if err != nil {
		h.stats.CorruptBlocks++
	}
	h.stats.Captured += uint64(frames)
	h.statsMu.Unlock()
}

// ReleaseBlock hands a block back to the kernel, and unmaps the ring if the
// handle was closed while this batch was out.
func (h *ringHandle) ReleaseBlock(block int) {
	h.memMu.Lock()
	defer h.memMu.Unlock()
	if h.mem == nil {
		return
	}
	setBlockKernel(h.block(block))
	h.lent[block] = false
	h.outstanding--
	select {
	case h.released <- struct{}{}:
	default:
	}
	if h.outstanding == 0 && h.closed.Load() {
		h.unmapLocked()
	}
}

func (h *ringHandle) unmapLocked() {
	if h.mem != nil {
		unix.Munmap(h.mem) //nolint:errcheck // nothing left to do on failure
		h.mem = nil
	}
}

// wait parks until the socket is readable (a block was retired), reports an
// error (the interface went down or away), or the handle is closed.
func (h *ringHandle) wait() error {
	h.woken, h.sockErr = false, nil
	err := h.raw.Read(h.ready)
	if h.closed.Load() || errors.Is(err, os.ErrClosed) {
		return ErrClosed
	}
	if err == nil {
		err = h.sockErr
	}
	if err == nil {
		return nil
	}
	if errors.Is(err, unix.ENETDOWN) || errors.Is(err, unix.ENXIO) || errors.Is(err, unix.ENODEV) {
		return fmt.Errorf("%w: %v", ErrInterfaceGone, err)
	}
	return &net.OpError{Op: "poll", Net: "packet", Err: err}
}

// readyToRead is wait's poller callback: true once the next block is
// user space's, the handle is closed, or the socket has an error.
func (h *ringHandle) readyToRead(fd uintptr) bool {
	if h.closed.Load() || blockStatus(h.block(h.next))&tpStatusUser != 0 {
		return true
	}
	if h.woken {
		// Woken without a block: the kernel may have set sk_err
		// (ENETDOWN when the interface goes down or is deleted).
		if e, gerr := unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_ERROR); gerr == nil && e != 0 {
			h.sockErr = unix.Errno(e)
			return true
		}
	}
	h.woken = true
	return false
}

// Stats reads and accumulates the kernel counters (which reset on read).
func (h *ringHandle) Stats() (Stats, error) {
	h.statsMu.Lock()
	defer h.statsMu.Unlock()
	if h.closed.Load() {
		return h.stats, nil
	}
	return h.readStatsLocked()
}

func (h *ringHandle) readStatsLocked() (Stats, error) {
	st, err := unix.GetsockoptTpacketStatsV3(h.fd, unix.SOL_PACKET, unix.PACKET_STATISTICS)
	if err != nil {
		return h.stats, &net.OpError{Op: "getsockopt PACKET_STATISTICS", Net: "packet", Err: err}
	}
	h.stats.Received += uint64(st.Packets)
	h.stats.Dropped += uint64(st.Drops)
	h.stats.QueueFreezes += uint64(st.Freeze_q_cnt)
	return h.stats, nil
}

// Close stops the capture: a waiting ReadBatch returns ErrClosed. The final
// kernel counters are read first so Stats stays complete after Close. Frames
// of batches not yet released stay readable until their Release.
func (h *ringHandle) Close() error {
	h.statsMu.Lock()
	if h.closed.Load() {
		h.statsMu.Unlock()
		return nil
	}
	h.readStatsLocked() //nolint:errcheck // best effort: keep the last counters
	h.closed.Store(true)
	close(h.done)
	h.statsMu.Unlock()
	// Wake a parked reader through the poller, then wait for it to leave.
	h.file.SetReadDeadline(time.Unix(1, 0)) //nolint:errcheck // only wakes the reader
	h.mu.Lock()
	defer h.mu.Unlock()
	err := h.file.Close()
	h.memMu.Lock()
	if h.outstanding == 0 {
		h.unmapLocked()
	}
	h.memMu.Unlock()
	return err
}

// warmBlock reads one byte of every cache line of a block's used part
// before the walk. The kernel filled the block on another CPU; walking it
// frame by frame would take one cache miss per frame header in a chain
// (each header says where the next one is), while these loads are
// independent, so the CPU overlaps their misses. The result means nothing;
// keeping it keeps the loads.
func warmBlock(block []byte) byte {
	if len(block) < blockHeaderLen {
		return 0
	}
	n := min(int(binary.LittleEndian.Uint32(block[bdBlkLen:])), len(block))
	var x byte
	for i := 0; i < n; i += 64 {
		x += block[i]
	}
	return x
}

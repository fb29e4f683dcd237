//go:build windows

package rawsock

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/windows"
)

func pageSize() int { return os.Getpagesize() }

const (
	pcapErrbufSize = 256
	// pcapTstampPrecisionNano asks for nanosecond timestamps.
	pcapTstampPrecisionNano = 1
	// npcapReadTimeout is the pcap timeout: with immediate mode on it only
	// bounds how long Close waits for a blocked reader.
	npcapReadTimeout = 100 * time.Millisecond
)

// errFanoutWindows is returned for Config.FanoutGroup on Windows.
var errFanoutWindows = errors.New("rawsock: fanout groups (several capture workers) are not supported on Windows: use one worker")

// npcap is wpcap.dll loaded from the Npcap folder, with the entry points we use.
type npcap struct {
	path string
	findalldevs, freealldevs, create, setSnaplen, setPromisc, setTimeout,
	setImmediate, setBufferSize, setTstampPrecision, activate, geterr,
	setfilter, nextEx, stats, breakloop, closeP, datalink *windows.Proc
}

var (
	npcapOnce sync.Once
	npcapLib  *npcap
	npcapErr  error
)

// loadNpcap loads %SystemRoot%\System32\Npcap\wpcap.dll. The search path is
// the DLL's own folder (for Packet.dll) and System32 only: never the current
// directory or PATH, so a planted wpcap.dll is not picked up.
func loadNpcap() (*npcap, error) {
	npcapOnce.Do(func() {
		sys, err := windows.GetSystemDirectory()
		if err != nil {
			npcapErr = fmt.Errorf("rawsock: system directory: %w", err)
			return
		}
		path := sys + `\Npcap\wpcap.dll`
		h, err := windows.LoadLibraryEx(path, 0, windows.LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR|windows.LOAD_LIBRARY_SEARCH_SYSTEM32)
		if err != nil {
			npcapErr = fmt.Errorf("%w (loading %s: %v)", ErrNpcapNotInstalled, path, err)
			return
		}
		dll := &windows.DLL{Name: path, Handle: h}
		lib := &npcap{path: path}
		for _, f := range []struct {
			p        **windows.Proc
			name     string
			optional bool
		}{
			{&lib.findalldevs, "pcap_findalldevs", false},
			{&lib.freealldevs, "pcap_freealldevs", false},
			{&lib.create, "pcap_create", false},
			{&lib.setSnaplen, "pcap_set_snaplen", false},
			{&lib.setPromisc, "pcap_set_promisc", false},
			{&lib.setTimeout, "pcap_set_timeout", false},
			{&lib.setImmediate, "pcap_set_immediate_mode", false},
			{&lib.setBufferSize, "pcap_set_buffer_size", false},
			{&lib.setTstampPrecision, "pcap_set_tstamp_precision", true},
			{&lib.activate, "pcap_activate", false},
			{&lib.geterr, "pcap_geterr", false},
			{&lib.setfilter, "pcap_setfilter", false},
			{&lib.nextEx, "pcap_next_ex", false},
			{&lib.stats, "pcap_stats", false},
			{&lib.breakloop, "pcap_breakloop", false},
			{&lib.closeP, "pcap_close", false},
			{&lib.datalink, "pcap_datalink", false},
		} {
			p, err := dll.FindProc(f.name)
			if err != nil {
				if f.optional {
					continue
				}
				npcapErr = fmt.Errorf("rawsock: %s lacks %s (Npcap too old? update it from %s): %w", path, f.name, NpcapURL, err)
				return
			}
			*f.p = p
		}
		npcapLib = lib
	})
	return npcapLib, npcapErr
}

// call invokes a C function returning int with integer arguments only. A
// pointer must be converted to uintptr in the argument list of
// syscall.SyscallN itself (unsafe.Pointer rule 4): passed through this
// wrapper, the stack variable it points to could move when the stack grows
// before the DLL writes to it.
func call(p *windows.Proc, args ...uintptr) int {
	r, _, _ := syscall.SyscallN(p.Addr(), args...)
	return int(int32(r))
}

// status is the C int a SyscallN result carries.
func status(r uintptr) int { return int(int32(r)) }

// errbuf is a PCAP_ERRBUF_SIZE buffer.
type errbuf [pcapErrbufSize]byte

func (e *errbuf) String() string { return windows.ByteSliceToString(e[:]) }

// devices lists what Npcap can capture on.
func (lib *npcap) devices() ([]pcapDevice, error) {
	var first *pcapIf
	var eb errbuf
	r, _, _ := syscall.SyscallN(lib.findalldevs.Addr(), uintptr(unsafe.Pointer(&first)), uintptr(unsafe.Pointer(&eb[0])))
	if int32(r) != 0 {
		return nil, fmt.Errorf("rawsock: pcap_findalldevs: %s", eb.String())
	}
	defer syscall.SyscallN(lib.freealldevs.Addr(), uintptr(unsafe.Pointer(first))) //nolint:errcheck
	return walkDevices(first), nil
}

// lastError is pcap_geterr(p).
func (lib *npcap) lastError(p uintptr) string {
	r, _, _ := syscall.SyscallN(lib.geterr.Addr(), p)
	var s *byte
	*(*uintptr)(unsafe.Pointer(&s)) = r
	return cString(s)
}

// winAdapters lists adapters with their friendly names (best effort: an error
// leaves only the Npcap names to match against).
func winAdapters() []winAdapter {
	var out []winAdapter
	walkAdapters(func(a *windows.IpAdapterAddresses) {
		out = append(out, winAdapter{
			GUID:         windows.BytePtrToString(a.AdapterName),
			FriendlyName: windows.UTF16PtrToString(a.FriendlyName),
			Description:  windows.UTF16PtrToString(a.Description),
			Index:        int(a.IfIndex),
		})
	})
	return out
}

// walkAdapters calls fn for every adapter GetAdaptersAddresses reports.
func walkAdapters(fn func(*windows.IpAdapterAddresses)) {
	size := uint32(16 << 10)
	for range 4 {
		buf := make([]byte, size)
		first := (*windows.IpAdapterAddresses)(unsafe.Pointer(&buf[0]))
		err := windows.GetAdaptersAddresses(windows.AF_UNSPEC, windows.GAA_FLAG_INCLUDE_ALL_INTERFACES, 0, first, &size)
		if errors.Is(err, windows.ERROR_BUFFER_OVERFLOW) {
			continue
		}
		if err != nil {
			return
		}
		for a := first; a != nil; a = a.Next {
			fn(a)
		}
		runtime.KeepAlive(buf)
		return
	}
}

// npcapHandle is a live capture through wpcap.dll. pcap_next_ex hands over a
// frame that is valid only until the next call, so each batch holds one frame
// copied into a buffer lent from the handle's pool until the batch is released.
type npcapHandle struct {
	lib     *npcap
	p       uintptr // pcap_t*
	dev     string
	snaplen int
	lt      LinkType
	nano    bool
	filter  []bpf.RawInstruction // kept alive while attached

	// pMu: readers (ReadBatch, Stats) hold it shared, Close exclusively
	// before pcap_close, so the pcap_t is never freed under a call.
	pMu    sync.RWMutex
	readMu sync.Mutex
	closed atomic.Bool

	poolMu sync.Mutex
	bufs   [][]byte
	free   []int

	statsMu sync.Mutex
	stats   Stats
	acc     npcapStats
}

func open(iface string, cfg Config) (Source, error) {
	if cfg.FanoutGroup != 0 {
		return nil, errFanoutWindows
	}
	if cfg.Direction != DirectionInOut {
		return nil, errors.New("rawsock: choosing a direction (-Q) is not supported with Npcap yet: capture both and filter afterwards")
	}
	lib, err := loadNpcap()
	if err != nil {
		return nil, err
	}
	devs, err := lib.devices()
	if err != nil {
		return nil, err
	}
	dev, err := resolveAdapter(iface, devs, winAdapters())
	if err != nil {
		return nil, err
	}
	name, err := windows.BytePtrFromString(dev)
	if err != nil {
		return nil, fmt.Errorf("%w: %q", ErrNoSuchInterface, iface)
	}
	var eb errbuf
	r, _, _ := syscall.SyscallN(lib.create.Addr(), uintptr(unsafe.Pointer(name)), uintptr(unsafe.Pointer(&eb[0])))
	if r == 0 {
		return nil, pcapErr("open", dev, pcapError, eb.String())
	}
	h := &npcapHandle{lib: lib, p: r, dev: dev, snaplen: cfg.Snaplen}
	fail := func(err error) (Source, error) {
		syscall.SyscallN(lib.closeP.Addr(), h.p) //nolint:errcheck
		return nil, err
	}
	promisc := uintptr(1)
	if cfg.NoPromisc {
		promisc = 0
	}
	for _, s := range []struct {
		p    *windows.Proc
		v    uintptr
		what string
	}{
		{lib.setSnaplen, uintptr(cfg.Snaplen), "snaplen"},
		{lib.setPromisc, promisc, "promiscuous mode"},
		{lib.setTimeout, uintptr(npcapReadTimeout.Milliseconds()), "read timeout"},
		{lib.setImmediate, 1, "immediate mode"},
		{lib.setBufferSize, uintptr(cfg.BufferSize), "buffer size"},
	} {
		if rc := call(s.p, h.p, s.v); rc != 0 {
			return fail(pcapErr("set "+s.what+" on", dev, rc, h.lib.lastError(h.p)))
		}
	}
	if lib.setTstampPrecision != nil {
		h.nano = call(lib.setTstampPrecision, h.p, pcapTstampPrecisionNano) == 0
	}
	if rc := call(lib.activate, h.p); rc < 0 {
		return fail(pcapErr("open", dev, rc, h.lib.lastError(h.p)))
	}
	dlt := call(lib.datalink, h.p)
	lt, err := npcapLinkType(dev, dlt)
	if err != nil {
		return fail(err)
	}
	h.lt = lt
	if len(cfg.Filter) > 0 {
		h.filter = append([]bpf.RawInstruction(nil), cfg.Filter...)
		prog, err := newBPFProgram(h.filter)
		if err != nil {
			return fail(err)
		}
		r, _, _ := syscall.SyscallN(lib.setfilter.Addr(), h.p, uintptr(unsafe.Pointer(&prog)))
		runtime.KeepAlive(h.filter)
		rc := status(r)
		if rc != 0 {
			return fail(pcapErr("attach filter on", dev, rc, h.lib.lastError(h.p)))
		}
	}
	return h, nil
}

func (h *npcapHandle) Ring() bool { return false }

func (h *npcapHandle) LinkType() LinkType { return h.lt }

// interfaceLinkType activates the adapter just long enough to ask Npcap
// for its link type.
func interfaceLinkType(iface string) (LinkType, error) {
	lib, err := loadNpcap()
	if err != nil {
		return 0, err
	}
	devs, err := lib.devices()
	if err != nil {
		return 0, err
	}
	dev, err := resolveAdapter(iface, devs, winAdapters())
	if err != nil {
		return 0, err
	}
	name, err := windows.BytePtrFromString(dev)
	if err != nil {
		return 0, fmt.Errorf("%w: %q", ErrNoSuchInterface, iface)
	}
	var eb errbuf
	p, _, _ := syscall.SyscallN(lib.create.Addr(), uintptr(unsafe.Pointer(name)), uintptr(unsafe.Pointer(&eb[0])))
	if p == 0 {
		return 0, pcapErr("open", dev, pcapError, eb.String())
	}
	defer syscall.SyscallN(lib.closeP.Addr(), p) //nolint:errcheck
	if rc := call(lib.activate, p); rc < 0 {
		return 0, pcapErr("open", dev, rc, lib.lastError(p))
	}
	return npcapLinkType(dev, call(lib.datalink, p))
}

// ReleaseBlock returns a lent buffer to the pool.
func (h *npcapHandle) ReleaseBlock(i int) {
	h.poolMu.Lock()
	h.free = append(h.free, i)
	h.poolMu.Unlock()
}

// lend returns a pooled buffer of at least n bytes.
func (h *npcapHandle) lend(n int) (int, []byte) {
	h.poolMu.Lock()
	defer h.poolMu.Unlock()
	if k := len(h.free); k > 0 {
		i := h.free[k-1]
		h.free = h.free[:k-1]
		if len(h.bufs[i]) < n {
			h.bufs[i] = make([]byte, max(n, maxFrame))
		}
		return i, h.bufs[i]
	}
	h.bufs = append(h.bufs, make([]byte, max(n, min(h.snaplen, maxFrame))))
	return len(h.bufs) - 1, h.bufs[len(h.bufs)-1]
}

// ReadBatch returns one frame copied out of Npcap's buffer. It polls with a
// short timeout so that Close is noticed promptly even without traffic.
func (h *npcapHandle) ReadBatch(b *Batch) error {
	h.readMu.Lock()
	defer h.readMu.Unlock()
	b.Release()
	for {
		if h.closed.Load() {
			return ErrClosed
		}
		got, err := h.readOne(b)
		if err != nil || got {
			return err
		}
	}
}

// readOne makes one pcap_next_ex call; got is false on a timeout.
func (h *npcapHandle) readOne(b *Batch) (got bool, err error) {
	h.pMu.RLock()
	defer h.pMu.RUnlock()
	if h.closed.Load() {
		return false, ErrClosed
	}
	var hdr *pcapPkthdr
	var data *byte
	r, _, _ := syscall.SyscallN(h.lib.nextEx.Addr(), h.p, uintptr(unsafe.Pointer(&hdr)), uintptr(unsafe.Pointer(&data)))
	rc := status(r)
	switch {
	case rc == 0:
		return false, nil // timeout
	case rc == pcapErrorBreak || h.closed.Load():
		return false, ErrClosed
	case rc < 0:
		return false, pcapErr("read", h.dev, rc, h.lib.lastError(h.p))
	}
	if hdr == nil || data == nil {
		return false, nil
	}
	ts, caplen, length, err := pktFrame(*hdr, h.nano, h.snaplen)
	if err != nil {
		h.statsMu.Lock()
		h.stats.CorruptBlocks++
		h.statsMu.Unlock()
		return false, nil
	}
	i, buf := h.lend(caplen)
	copy(buf, unsafe.Slice(data, caplen))
	b.Frames = append(b.Frames[:0], Frame{
		Timestamp: ts, CaptureLength: caplen, Length: length,
		Data: buf[:caplen:caplen],
	})
	b.owner, b.block = h, i
	h.statsMu.Lock()
	h.stats.Captured++
	h.statsMu.Unlock()
	return true, nil
}

// Stats returns Npcap's counters (accumulated across 32-bit wrap) and the
// frames handed over.
func (h *npcapHandle) Stats() (Stats, error) {
	h.pMu.RLock()
	defer h.pMu.RUnlock()
	h.statsMu.Lock()
	defer h.statsMu.Unlock()
	if h.closed.Load() {
		return h.stats, nil
	}
	return h.pollStats()
}

// pollStats reads pcap_stats; callers hold pMu (shared or exclusive) and statsMu.
func (h *npcapHandle) pollStats() (Stats, error) {
	var st pcapStat
	r, _, _ := syscall.SyscallN(h.lib.stats.Addr(), h.p, uintptr(unsafe.Pointer(&st)))
	if rc := status(r); rc != 0 {
		return h.stats, pcapErr("stats of", h.dev, rc, h.lib.lastError(h.p))
	}
	h.stats.Received, h.stats.Dropped = h.acc.add(st)
	return h.stats, nil
}

// Close breaks a blocked read, takes a last reading of the counters and
// frees the capture. Batches still held stay valid (they own their memory).
func (h *npcapHandle) Close() error {
	if h.closed.Swap(true) {
		return nil
	}
	syscall.SyscallN(h.lib.breakloop.Addr(), h.p) //nolint:errcheck
	h.pMu.Lock()
	defer h.pMu.Unlock()
	h.statsMu.Lock()
	_, _ = h.pollStats()
	h.statsMu.Unlock()
	syscall.SyscallN(h.lib.closeP.Addr(), h.p) //nolint:errcheck
	h.p = 0
	return nil
}

// Package rawsock is every way frames enter wirebom: live interfaces through a
// TPACKET_V3 memory-mapped ring on Linux (with an AF_PACKET fallback where no
// ring can be had), and interface listing.
//
// A Handle yields frames in batches. On Linux one batch is one ring block: its
// frames point into kernel-shared memory (zero copy) and stay valid until the
// batch is released, which hands the block back to the kernel.
package rawsock

import (
	"errors"
	"fmt"
	"time"

	"golang.org/x/net/bpf"
)

// Defaults chosen for a sensor that must lose nothing at line rate and still
// hand packets over promptly at low rates (see docs/PERFORMANCE.md).
const (
	// DefaultSnaplen is the largest frame kept, as in tcpdump.
	DefaultSnaplen = 262144
	// MinSnaplen is the smallest snapshot length accepted: an Ethernet
	// header.
	MinSnaplen = 14
	// DefaultBufferSize is the ring size: 64 MiB, as `tcpdump -B 65536`.
	DefaultBufferSize = 64 << 20
	// DefaultBlockSize is the size of one ring block. Each block the kernel
	// hands over costs the reader a wake-up (several context switches in
	// the Go runtime), so blocks are large: 256 KiB (3 GSO super-frames, or
	// 1 800 64-byte frames), and the default ring has 256 of them. Blocks
	// of 512 KiB take half the wake-ups at full rate (15–30 % less CPU per
	// 64-byte frame, the same with larger frames), but the ring then holds
	// half as many of the partly filled blocks that lower rates produce
	// (see DefaultRetireTimeout), and its start-up took twice as long
	// (measured in docs/PERFORMANCE.md, session 7).
	DefaultBlockSize = 256 << 10
	// DefaultRetireTimeout bounds how long a frame can wait in a partly
	// filled block: a 20 packets/s stream sees a median delay of 5–7 ms,
	// while full blocks at high rates never wait. It also sets how full
	// blocks are at lower rates, where each timeout hands over a block
	// with what it has: so the default ring (256 blocks) holds at least
	// 3 s of traffic for a stalled reader at any rate up to ~175 Mbit/s,
	// and 64 MiB of it above.
	DefaultRetireTimeout = 12 * time.Millisecond
)

// FanoutMode is how the kernel spreads frames over the sockets of a fanout
// group (PACKET_FANOUT).
type FanoutMode uint16

// Fanout modes; see packet(7).
const (
	FanoutHash     FanoutMode = 0 // by flow hash: a flow stays on one socket
	FanoutLB       FanoutMode = 1 // round robin
	FanoutCPU      FanoutMode = 2 // by receiving CPU
	FanoutRollover FanoutMode = 3 // fill one socket, then the next
)

// Config says how to open a live interface. The zero value is valid and
// means the defaults above, promiscuous mode on.
type Config struct {
	// Snaplen is the number of bytes kept per frame (0: DefaultSnaplen).
	Snaplen int
	// NoPromisc leaves the interface out of promiscuous mode (tcpdump -p).
	NoPromisc bool
	// BufferSize is the total ring size in bytes (0: DefaultBufferSize).
	BufferSize int
	// BlockSize is the size of one ring block in bytes: a power of two and a
	// multiple of the page size (0: DefaultBlockSize).
	BlockSize int
	// RetireTimeout is how long the kernel keeps a partly filled block
	// before handing it over (0: DefaultRetireTimeout).
	RetireTimeout time.Duration
	// Filter is a classic BPF program attached before the socket is bound,
	// so no frame that fails it is ever seen.
	Filter []bpf.RawInstruction
	// FanoutGroup, when non-zero, joins the socket to that PACKET_FANOUT
	// group; open one Handle per worker with the same group.
	FanoutGroup uint16
	// FanoutMode is the fanout policy (default FanoutHash).
	FanoutMode FanoutMode
	// NoRing forces the fallback socket without a ring (for tests).
	NoRing bool
	// Direction keeps only the frames coming in, or only those going out
	// (tcpdump -Q); the default keeps both.
	Direction Direction
}

// Direction selects frames by the way they cross the interface.
type Direction uint8

// Directions, as tcpdump -Q names them.
const (
	DirectionInOut Direction = iota // both ("inout")
	DirectionIn                     // received by the host ("in")
	DirectionOut                    // sent by the host ("out")
)

// ParseDirection maps a -Q value (in, out, inout) to a Direction.
func ParseDirection(s string) (Direction, error) {
	switch s {
	case "inout":
		return DirectionInOut, nil
	case "in":
		return DirectionIn, nil
	case "out":
		return DirectionOut, nil
	}
	return 0, fmt.Errorf("direction %q: use in, out or inout", s)
}

// Frame is one captured frame. Data aliases ring memory: it is valid until
// its batch is released.
type Frame struct {
	Timestamp time.Time
	// CaptureLength is len(Data); Length is the frame's length on the wire.
	CaptureLength, Length int
	// VLAN is the outer 802.1Q/802.1ad tag the kernel stripped and we put
	// back into Data (0 when there was none), with its TPID.
	VLAN     uint16
	VLANTPID uint16
	HasVLAN  bool
	// InterfaceIndex is the receiving interface.
	InterfaceIndex int
	Data           []byte
}

// Batch is a set of frames handed over together. Release it when done.
type Batch struct {
	Frames []Frame
	// Behind is how many more blocks, up to MaxBehind, the kernel had
	// already filled when this batch was read: how far the reader lags.
	// Sources without a ring leave it 0.
	Behind int
	owner  Releaser
	block  int
}

// MaxBehind is the most Batch.Behind counts.
const MaxBehind = 8

// Releaser takes back the memory of a batch it lent: a ring block, a
// buffer. Sources outside this package (test fakes, file readers) implement
// it and attach themselves with SetBatchOwner.
type Releaser interface{ ReleaseBlock(block int) }

// SetBatchOwner makes Release on b call r.ReleaseBlock(block).
func SetBatchOwner(b *Batch, r Releaser, block int) { b.owner, b.block = r, block }

// Release gives the batch's memory back to the kernel. Frames must not be
// used afterwards. Release is idempotent.
func (b *Batch) Release() {
	if b.owner != nil {
		b.owner.ReleaseBlock(b.block)
		b.owner = nil
	}
	b.Frames, b.Behind = b.Frames[:0], 0
}

// Stats are cumulative counters since the handle was opened. The kernel
// resets its PACKET_STATISTICS on every read; Handle accumulates them.
type Stats struct {
	// Received is what the kernel accepted for this socket after the
	// filter, including what it then dropped (tcpdump's "received by filter").
	Received uint64
	// Dropped is what the kernel dropped because the ring was full.
	Dropped uint64
	// QueueFreezes counts how often the ring froze (TPACKET_V3).
	QueueFreezes uint64
	// Captured is what was handed to the reader.
	Captured uint64
	// CorruptBlocks counts ring blocks whose headers were out of range and
	// were skipped rather than followed.
	CorruptBlocks uint64
}

// Add returns the sum of two Stats (for several fanout workers).
func (s Stats) Add(o Stats) Stats {
	return Stats{
		Received:      s.Received + o.Received,
		Dropped:       s.Dropped + o.Dropped,
		QueueFreezes:  s.QueueFreezes + o.QueueFreezes,
		Captured:      s.Captured + o.Captured,
		CorruptBlocks: s.CorruptBlocks + o.CorruptBlocks,
	}
}

// Errors callers branch on.
var (
	// ErrClosed is returned by ReadBatch after Close.
	ErrClosed = errors.New("rawsock: handle closed")
	// ErrNotSupported is returned where live capture is not implemented.
	ErrNotSupported = errors.New("rawsock: live capture is not supported on this OS yet")
	// ErrPermission wraps EPERM/EACCES at open time.
	ErrPermission = errors.New("rawsock: permission denied")
	// ErrNoSuchInterface wraps an unknown interface name.
	ErrNoSuchInterface = errors.New("rawsock: no such interface")
	// ErrInterfaceDown is returned when the interface is not up.
	ErrInterfaceDown = errors.New("rawsock: interface is down")
	// ErrInterfaceGone is returned when the interface disappears during a
	// capture (deleted veth, unplugged USB NIC).
	ErrInterfaceGone = errors.New("rawsock: interface went away")
)

// HardwareTypeError is returned by Open and InterfaceLinkType for a Linux
// interface whose framing wirebom does not capture (PPP, GRE, CAN,
// InfiniBand...); errors.Is(err, ErrNotSupported) holds for it.
type HardwareTypeError struct {
	Interface string
	Type      uint16 // ARPHRD_* (linux/if_arp.h)
}

func (e *HardwareTypeError) Error() string {
	return fmt.Sprintf("rawsock: %s has hardware type %d, whose framing wirebom does not capture yet "+
		"(it captures Ethernet, loopback, tun and WireGuard interfaces): capture on the interface underneath, or use tcpdump for this one",
		e.Interface, e.Type)
}

// Is makes errors.Is(err, ErrNotSupported) true.
func (e *HardwareTypeError) Is(target error) bool { return target == ErrNotSupported }

// PermissionHint names the fix for ErrPermission.
const PermissionHint = "run as root, or grant the capability once: sudo setcap cap_net_raw,cap_net_admin=eip "

// Source is a live capture handle.
type Source interface {
	// ReadBatch blocks until frames are available, then fills b. It returns
	// ErrClosed after Close.
	ReadBatch(b *Batch) error
	// Stats returns cumulative counters.
	Stats() (Stats, error)
	// Close stops the capture and unblocks a waiting ReadBatch.
	Close() error
	// Ring reports whether the handle uses a memory-mapped ring (false on
	// the fallback socket).
	Ring() bool
	// LinkType is the link-layer header type every frame starts with.
	LinkType() LinkType
}

// LinkType is a pcap link-layer header type (a LINKTYPE_ value, as written
// in pcap and pcapng file headers).
type LinkType uint16

// Link types a live capture can have.
const (
	// LinkTypeNull is BSD loopback framing (LINKTYPE_NULL, 0): a 4-byte
	// address family in the capturing host's byte order, then the IP
	// packet. Npcap's loopback adapter uses it.
	LinkTypeNull LinkType = 0
	// LinkTypeEthernet is Ethernet II / 802.3 framing (LINKTYPE_ETHERNET, 1).
	LinkTypeEthernet LinkType = 1
	// LinkTypeRaw is a bare IPv4 or IPv6 packet without a link header
	// (LINKTYPE_RAW, 101): Linux tun devices, WireGuard.
	LinkTypeRaw LinkType = 101
	// LinkTypeLinuxSLL is Linux cooked capture v1 (LINKTYPE_LINUX_SLL,
	// 113): a 16-byte header (packet type, link-layer address, protocol)
	// in place of the link header. Captures on AnyInterface have it.
	LinkTypeLinuxSLL LinkType = 113
)

// AnyInterface is the name of Linux's pseudo-interface that captures on
// every interface at once, as tcpdump -i any does: frames come in Linux
// cooked form (LinkTypeLinuxSLL), since interfaces frame them differently,
// and promiscuous mode does not apply.
const AnyInterface = "any"

// String is tcpdump's name for the link type ("EN10MB", "RAW", "NULL").
func (l LinkType) String() string {
	switch l {
	case LinkTypeNull:
		return "NULL"
	case LinkTypeEthernet:
		return "EN10MB"
	case LinkTypeRaw:
		return "RAW"
	case LinkTypeLinuxSLL:
		return "LINUX_SLL"
	}
	return fmt.Sprintf("LINKTYPE_%d", uint16(l))
}

// Description is tcpdump's description of the link type ("Ethernet",
// "Raw IP", "BSD loopback").
func (l LinkType) Description() string {
	switch l {
	case LinkTypeNull:
		return "BSD loopback"
	case LinkTypeEthernet:
		return "Ethernet"
	case LinkTypeRaw:
		return "Raw IP"
	case LinkTypeLinuxSLL:
		return "Linux cooked v1"
	}
	return "unknown"
}

// InterfaceLinkType returns the link type a capture on the named interface
// would have, without capturing, so that a filter can be compiled for it
// before Open. It fails as Open would for an interface whose framing is not
// supported.
func InterfaceLinkType(iface string) (LinkType, error) { return interfaceLinkType(iface) }

// Open starts a capture on the named interface.
func Open(iface string, cfg Config) (Source, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return open(iface, cfg)
}

func (c *Config) validate() error {
	if c.Snaplen == 0 {
		c.Snaplen = DefaultSnaplen
	}
	if c.Snaplen < MinSnaplen || c.Snaplen > DefaultSnaplen {
		return fmt.Errorf("rawsock: snaplen %d out of range: use %d to %d", c.Snaplen, MinSnaplen, DefaultSnaplen)
	}
	if c.BlockSize == 0 {
		c.BlockSize = DefaultBlockSize
	}
	if c.BufferSize == 0 {
		c.BufferSize = DefaultBufferSize
		if c.BufferSize < c.BlockSize {
			c.BufferSize = c.BlockSize
		}
	}
	if c.RetireTimeout == 0 {
		c.RetireTimeout = DefaultRetireTimeout
	}
	page := pageSize()
	if c.BlockSize < page || c.BlockSize&(c.BlockSize-1) != 0 {
		return fmt.Errorf("rawsock: block size %d must be a power of two and at least the page size (%d): try %d", c.BlockSize, page, DefaultBlockSize)
	}
	if need := minBlockFor(c.Snaplen); c.BlockSize < need {
		return fmt.Errorf("rawsock: block size %d is too small for snaplen %d: frames would be cut short; use a block size of at least %d or a smaller snaplen", c.BlockSize, c.Snaplen, need)
	}
	if c.BufferSize < c.BlockSize || c.BufferSize%c.BlockSize != 0 {
		return fmt.Errorf("rawsock: buffer size %d must be a multiple of the block size %d", c.BufferSize, c.BlockSize)
	}
	if c.BufferSize/c.BlockSize > 1<<16 {
		return fmt.Errorf("rawsock: buffer size %d holds more than 65536 blocks of %d bytes: use a larger block size", c.BufferSize, c.BlockSize)
	}
	if c.RetireTimeout < time.Millisecond || c.RetireTimeout > time.Minute {
		return fmt.Errorf("rawsock: retire timeout %v out of range: use 1ms to 1m", c.RetireTimeout)
	}
	return nil
}

// maxFrame is the largest frame a ring must hold: a GSO super-frame of 64 KiB
// plus link headers and a VLAN tag.
const maxFrame = 65536 + 64

// minBlockFor is the smallest block that holds one frame of up to snaplen
// bytes (capped at maxFrame) with its ring headers.
func minBlockFor(snaplen int) int {
	n := min(snaplen, maxFrame) + blockHeaderLen + frameHeaderRoom
	p := 4096
	for p < n {
		p <<= 1
	}
	return p
}

// RecordReader is a Source that can hand a whole block of frames straight
// to a pcap Writer, without Frames in between: the capture's direct path.
type RecordReader interface {
	// ReadRecords waits for the next block like ReadBatch, appends at most
	// limit of its frames (0: all) to w as records, without flushing, and
	// gives the block back. It returns how many frames it appended and
	// their length on the wire.
	ReadRecords(w *Writer, limit int) (packets int, bytes uint64, err error)
	// Behind is how many blocks, up to MaxBehind, the kernel has filled
	// beyond the next one to read: Batch.Behind, between reads.
	Behind() int
}

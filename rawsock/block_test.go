package rawsock

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
)

// synthFrame describes one frame to lay out in a synthetic ring block.
type synthFrame struct {
	data    []byte
	wireLen int
	vlanTCI uint32
	tpid    uint16
	status  uint32
	// What the kernel reports in the sockaddr_ll after the header, used
	// by cooked walks: addr is all 8 bytes of sll_addr, including any
	// stale ones past halen.
	pkttype, halen byte
	hatype, proto  uint16
	ifindex        int32
	addr           [8]byte
}

// synthMac is where buildBlock puts each frame after its header:
// tpacket3_hdr + sockaddr_ll + reserve, as the kernel lays it out for
// Ethernet.
const synthMac = 82

// buildBlock lays frames out the way the kernel does: block header, then
// for each frame a tpacket3_hdr, room, and the frame at tp_mac.
func buildBlock(size int, frames []synthFrame) []byte {
	le := binary.LittleEndian
	b := make([]byte, size)
	le.PutUint32(b[bdBlockStatus:], tpStatusUser)
	le.PutUint32(b[bdNumPkts:], uint32(len(frames)))
	le.PutUint32(b[bdOffsetToFirst:], blockHeaderLen)
	off := blockHeaderLen
	const mac = synthMac
	for i, f := range frames {
		h := b[off:]
		le.PutUint32(h[fhSec:], 1700000000)
		le.PutUint32(h[fhNsec:], uint32(i))
		le.PutUint32(h[fhSnaplen:], uint32(len(f.data)))
		wl := f.wireLen
		if wl == 0 {
			wl = len(f.data)
		}
		le.PutUint32(h[fhLen:], uint32(wl))
		le.PutUint32(h[fhStatus:], f.status)
		le.PutUint16(h[fhMac:], mac)
		le.PutUint32(h[fhVLANTCI:], f.vlanTCI)
		le.PutUint16(h[fhVLANTPID:], f.tpid)
		a := h[sllOff:]
		le.PutUint16(a, 17) // AF_PACKET
		binary.BigEndian.PutUint16(a[sllProtocol:], f.proto)
		le.PutUint32(a[sllIfindex:], uint32(f.ifindex))
		le.PutUint16(a[sllHatype:], f.hatype)
		a[sllPkttype], a[sllHalen] = f.pkttype, f.halen
		copy(a[sllAddr:], f.addr[:])
		copy(b[off+mac:], f.data)
		next := (mac + len(f.data) + 15) &^ 15
		if i+1 < len(frames) {
			le.PutUint32(h[fhNextOffset:], uint32(next))
		}
		off += next
	}
	le.PutUint32(b[bdBlkLen:], uint32(off))
	return b
}

func frameBytes(n int, seed byte) []byte {
	f := make([]byte, n)
	for i := range f {
		f[i] = seed + byte(i)
	}
	return f
}

func TestWalkBlockFrames(t *testing.T) {
	f1 := frameBytes(60, 1)
	f2 := frameBytes(1514, 7)
	blk := buildBlock(8192, []synthFrame{{data: f1}, {data: f2, wireLen: 1600}})
	frames, err := walkBlock(blk, DefaultSnaplen, 3, LinkTypeEthernet, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(frames) != 2 {
		t.Fatalf("got %d frames, want 2", len(frames))
	}
	if !bytes.Equal(frames[0].Data, f1) || !bytes.Equal(frames[1].Data, f2) {
		t.Fatal("frame bytes differ from what was laid out")
	}
	if frames[1].Length != 1600 || frames[1].CaptureLength != 1514 || frames[1].InterfaceIndex != 3 {
		t.Fatalf("frame 2 lengths: %+v", frames[1])
	}
	if frames[1].Timestamp.Nanosecond() != 1 || frames[1].Timestamp.Unix() != 1700000000 {
		t.Fatalf("timestamp %v", frames[1].Timestamp)
	}
}

// A block's frames take as many allocations as one frame does, however
// many there are: growing the slice frame by frame would leave garbage each
// time a batch first meets a fuller block.
func TestWalkBlockAllocatesOnce(t *testing.T) {
	allocs := func(n int) float64 {
		var frames []synthFrame
		for i := range n {
			frames = append(frames, synthFrame{data: frameBytes(60, byte(i))})
		}
		blk := buildBlock(64<<10, frames)
		return testing.AllocsPerRun(20, func() {
			got, err := walkBlock(blk, DefaultSnaplen, 1, LinkTypeRaw, nil)
			if err != nil || len(got) != n {
				t.Fatalf("walkBlock: %d frames, %v", len(got), err)
			}
		})
	}
	if one, many := allocs(1), allocs(300); many != one {
		t.Fatalf("walkBlock made %v allocations for 300 frames and %v for one", many, one)
	}
}

func TestWalkBlockSnaplen(t *testing.T) {
	blk := buildBlock(8192, []synthFrame{{data: frameBytes(1000, 0)}})
	frames, err := walkBlock(blk, 100, 1, LinkTypeEthernet, nil)
	if err != nil {
		t.Fatal(err)
	}
	if frames[0].CaptureLength != 100 || len(frames[0].Data) != 100 || frames[0].Length != 1000 {
		t.Fatalf("snaplen not applied: %+v", frames[0])
	}
}

func TestWalkBlockVLANReinsert(t *testing.T) {
	untagged := frameBytes(64, 0x10)
	for _, tc := range []struct {
		name     string
		tci      uint32
		tpid     uint16
		status   uint32
		wantTPID uint16
	}{
		{"tci-only", 0x2064, 0, 0, 0x8100},
		{"valid-flag-vid0", 0, 0, tpStatusVLANValid, 0x8100},
		{"qinq-tpid", 100, 0x88a8, tpStatusVLANValid | tpStatusVLANTPIDValid, 0x88a8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			blk := buildBlock(4096, []synthFrame{{data: untagged, vlanTCI: tc.tci, tpid: tc.tpid, status: tc.status}})
			frames, err := walkBlock(blk, DefaultSnaplen, 1, LinkTypeEthernet, nil)
			if err != nil {
				t.Fatal(err)
			}
			f := frames[0]
			want := append(append(append([]byte{}, untagged[:12]...),
				byte(tc.wantTPID>>8), byte(tc.wantTPID), byte(tc.tci>>8), byte(tc.tci)), untagged[12:]...)
			if !bytes.Equal(f.Data, want) {
				t.Fatalf("tag not reinserted after the MACs:\n got %x\nwant %x", f.Data, want)
			}
			if !f.HasVLAN || f.VLAN != uint16(tc.tci)&0xfff || f.VLANTPID != tc.wantTPID || f.Length != 68 || f.CaptureLength != 68 {
				t.Fatalf("frame metadata %+v", f)
			}
		})
	}
}

func TestWalkBlockCorrupt(t *testing.T) {
	good := func() []byte {
		return buildBlock(4096, []synthFrame{{data: frameBytes(60, 0)}, {data: frameBytes(60, 1)}})
	}
	le := binary.LittleEndian
	cases := map[string]func(b []byte){
		"blk_len beyond block":      func(b []byte) { le.PutUint32(b[bdBlkLen:], 1<<20) },
		"blk_len below header":      func(b []byte) { le.PutUint32(b[bdBlkLen:], 10) },
		"too many frames":           func(b []byte) { le.PutUint32(b[bdNumPkts:], 1<<30) },
		"first offset in header":    func(b []byte) { le.PutUint32(b[bdOffsetToFirst:], 4) },
		"first offset beyond block": func(b []byte) { le.PutUint32(b[bdOffsetToFirst:], 1<<31) },
		"snaplen beyond block":      func(b []byte) { le.PutUint32(b[blockHeaderLen+fhSnaplen:], 1<<31) },
		"mac inside header":         func(b []byte) { le.PutUint16(b[blockHeaderLen+fhMac:], 8) },
		"next offset zero":          func(b []byte) { le.PutUint32(b[blockHeaderLen+fhNextOffset:], 0) },
		"next offset beyond":        func(b []byte) { le.PutUint32(b[blockHeaderLen+fhNextOffset:], 1<<31) },
		"caplen above wire len":     func(b []byte) { le.PutUint32(b[blockHeaderLen+fhLen:], 10) },
	}
	for name, corrupt := range cases {
		t.Run(name, func(t *testing.T) {
			b := good()
			corrupt(b)
			frames, err := walkBlock(b, DefaultSnaplen, 1, LinkTypeEthernet, nil)
			if !errors.Is(err, errCorruptBlock) {
				t.Fatalf("err = %v, want errCorruptBlock", err)
			}
			for _, f := range frames {
				if len(f.Data) != 60 {
					t.Fatalf("returned a frame decoded from corrupt fields: %d bytes", len(f.Data))
				}
			}
		})
	}
	if _, err := walkBlock(make([]byte, 10), DefaultSnaplen, 1, LinkTypeEthernet, nil); !errors.Is(err, errCorruptBlock) {
		t.Fatalf("short block: %v", err)
	}
}

func FuzzWalkBlock(f *testing.F) {
	f.Add(buildBlock(2048, []synthFrame{{data: frameBytes(60, 0)}, {data: frameBytes(200, 3), vlanTCI: 5}}))
	f.Add(buildBlock(512, nil))
	f.Add(buildBlock(2048, []synthFrame{{data: frameBytes(60, 0), pkttype: 4, hatype: 1, halen: 6, proto: 0x0800,
		ifindex: 2, addr: [8]byte{2, 0, 0, 0, 0, 0xbb, 0xee, 0xee}, vlanTCI: 7, status: tpStatusVLANValid}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		frames, _ := walkBlock(slices.Clone(b), 1500, 1, LinkTypeEthernet, nil)
		for _, fr := range frames {
			if fr.CaptureLength != len(fr.Data) || fr.CaptureLength > 1500 || fr.CaptureLength > fr.Length {
				t.Fatalf("inconsistent frame %d/%d/%d", fr.CaptureLength, len(fr.Data), fr.Length)
			}
		}
		cooked, _ := walkBlock(slices.Clone(b), 1500, 1, LinkTypeLinuxSLL, nil)
		for _, fr := range cooked {
			if fr.CaptureLength != len(fr.Data) || fr.CaptureLength > 1500 || fr.CaptureLength > fr.Length || fr.Length < cookedHdrLen {
				t.Fatalf("inconsistent cooked frame %d/%d/%d", fr.CaptureLength, len(fr.Data), fr.Length)
			}
		}
		for _, lt := range []LinkType{LinkTypeEthernet, LinkTypeLinuxSLL} {
			for _, snap := range []int{1500, 14} {
				checkRecordsMatchFrames(t, b, snap, 0, FormatPcap, lt)
				checkRecordsMatchFrames(t, b, snap, 0, FormatPcapng, lt)
			}
		}
	})
}

// checkRecordsMatchFrames checks that appendBlockRecords lays out exactly
// the records that walkBlock followed by Writer.WriteFrames does, stops at
// the same corrupt frame, and leaves the block as it was.
func checkRecordsMatchFrames(t *testing.T, block []byte, snaplen, limit int, format FileFormat, lt LinkType) {
	t.Helper()
	frames, werr := walkBlock(slices.Clone(block), snaplen, 1, lt, nil)
	if limit > 0 && len(frames) >= limit { // the walk stops before frame limit
		frames, werr = frames[:limit], nil
	}
	var want bytes.Buffer
	w, err := NewWriter(&want, format, lt, snaplen)
	if err != nil {
		t.Fatal(err)
	}
	hdrLen := want.Len()
	if _, err := w.WriteFrames(frames); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	var wantWire uint64
	for _, f := range frames {
		wantWire += uint64(f.Length)
	}
	orig := slices.Clone(block)
	// A used buffer: stale bytes must not leak into padding.
	dirty := bytes.Repeat([]byte{0xee}, 1<<16)
	got, n, wire, rerr := appendBlockRecords(dirty[:1], block, snaplen, lt, format == FormatPcapng, limit)
	if !bytes.Equal(block, orig) {
		t.Fatal("appendBlockRecords changed the block")
	}
	if n != len(frames) || wire != wantWire || (rerr == nil) != (werr == nil) {
		t.Fatalf("records: %d frames, %d bytes on the wire, err %v; frames: %d, %d, err %v", n, wire, rerr, len(frames), wantWire, werr)
	}
	if rerr != nil && (!errors.Is(rerr, errCorruptBlock) || rerr.Error() != werr.Error()) {
		t.Fatalf("records err %q, frames err %q", rerr, werr)
	}
	if !bytes.Equal(got[1:], want.Bytes()[hdrLen:]) {
		t.Fatalf("records differ:\n got %x\nwant %x", got[1:], want.Bytes()[hdrLen:])
	}
	// Laid out a few records at a time, as appendRingBlock writes them
	// out: the same records, frames and error.
	for _, stop := range []int{1, 60, 700} {
		c, err := newBlockCursor(block, lt)
		if err != nil {
			break // appendBlockRecords failed the same way, checked above
		}
		c.limit(limit)
		var chunks []byte
		n, wire := 0, uint64(0)
		for {
			buf, k, kw, err := appendRecords(bytes.Repeat([]byte{0xee}, 64)[:0], &c, snaplen, format == FormatPcapng, nil, stop)
			chunks = append(chunks, buf...)
			n, wire = n+k, wire+kw
			if err != nil || !c.more() {
				if (err == nil) != (rerr == nil) || err != nil && err.Error() != rerr.Error() {
					t.Fatalf("stop %d: err %v, want %v", stop, err, rerr)
				}
				break
			}
			if k == 0 {
				t.Fatalf("stop %d: a call laid out nothing and left frames", stop)
			}
		}
		if n != len(frames) || wire != wantWire || !bytes.Equal(chunks, want.Bytes()[hdrLen:]) {
			t.Fatalf("stop %d: %d frames, %d bytes on the wire, records equal %v; want %d, %d",
				stop, n, wire, bytes.Equal(chunks, want.Bytes()[hdrLen:]), len(frames), wantWire)
		}
	}
}

func TestBlockRecordsMatchFrames(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	le := binary.LittleEndian
	for i := 0; i < 2000; i++ {
		var frames []synthFrame
		for range rng.IntN(12) {
			f := synthFrame{data: frameBytes(rng.IntN(300), byte(rng.Uint32()))}
			switch rng.IntN(4) {
			case 0:
				f.vlanTCI = rng.Uint32N(1 << 16)
			case 1:
				f.vlanTCI, f.tpid, f.status = rng.Uint32N(1<<16), 0x88a8, tpStatusVLANValid|tpStatusVLANTPIDValid
			case 2:
				f.wireLen = len(f.data) + rng.IntN(100)
			}
			f.pkttype, f.halen, f.hatype = byte(rng.IntN(6)), byte(rng.IntN(10)), uint16(rng.IntN(800))
			f.proto, f.ifindex = uint16(rng.Uint32()), rng.Int32N(100)
			for k := range f.addr {
				f.addr[k] = byte(rng.Uint32())
			}
			frames = append(frames, f)
		}
		b := buildBlock(8192, frames)
		if len(frames) > 0 && rng.IntN(3) == 0 {
			// Corrupt one field of one frame header, with a value that is
			// wild or small (a link that does not advance, a frame
			// shorter on the wire than captured), or the block header.
			off := blockHeaderLen + rng.IntN(len(frames))*16
			if rng.IntN(2) == 0 {
				off = blockHeaderLen
				for range rng.IntN(len(frames)) {
					off += int(le.Uint32(b[off+fhNextOffset:]))
				}
			}
			v := rng.Uint32()
			if rng.IntN(2) == 0 {
				v = rng.Uint32N(80)
			}
			le.PutUint32(b[off+[]int{fhNextOffset, fhSnaplen, fhLen, fhMac, fhNsec}[rng.IntN(5)]:], v)
		}
		snap := []int{DefaultSnaplen, 64, 14, 13, 1}[rng.IntN(5)]
		limit := rng.IntN(4) * rng.IntN(6)
		checkRecordsMatchFrames(t, b, snap, limit, FileFormat(i%2), LinkTypeEthernet)
		checkRecordsMatchFrames(t, b, snap, limit, FileFormat(i%2), LinkTypeLinuxSLL)
	}
}

func TestConfigValidate(t *testing.T) {
	for _, c := range []Config{
		{BlockSize: 3000},
		{BlockSize: 1 << 20, BufferSize: 3 << 19},
		{Snaplen: 5},
		{BlockSize: 8192},                      // too small for the default snaplen
		{BlockSize: 4096, BufferSize: 1 << 30}, // too many blocks (and too small)
	} {
		if err := c.validate(); err == nil {
			t.Errorf("%+v: accepted", c)
		}
	}
	c := Config{}
	if err := c.validate(); err != nil || c.BufferSize != DefaultBufferSize || c.BlockSize != DefaultBlockSize {
		t.Fatalf("defaults: %v %+v", err, c)
	}
	small := Config{Snaplen: 1514, BlockSize: 8192, BufferSize: 1 << 20}
	if err := small.validate(); err != nil {
		t.Fatalf("small blocks with a small snaplen: %v", err)
	}
}

// TestWalkBlockCooked lays out frames as a SOCK_DGRAM socket on the any
// device gets them (from the network header, with the sender's address
// beside) and checks the cooked headers put in front: packet type, ARPHRD
// type, address length, address (stale ring bytes past its length
// zeroed), protocol; a stripped VLAN tag goes after them, as libpcap puts
// it, and the frame keeps the interface it came on.
func TestWalkBlockCooked(t *testing.T) {
	payload := frameBytes(40, 9)
	stale := [8]byte{0x02, 0, 0, 0, 0, 0xbb, 0xee, 0xee}
	blk := buildBlock(4096, []synthFrame{
		{data: payload, pkttype: 0, hatype: 1, halen: 6, addr: stale, proto: 0x0800, ifindex: 7},
		{data: payload, pkttype: 4, hatype: 1, halen: 6, addr: stale, proto: 0x86dd, ifindex: 3, vlanTCI: 0x2064, status: tpStatusVLANValid},
		{data: payload, pkttype: 3, hatype: 772, halen: 10, addr: [8]byte{1, 2, 3, 4, 5, 6, 7, 8}, proto: 0x0806, ifindex: 1,
			vlanTCI: 5, tpid: 0x88a8, status: tpStatusVLANValid | tpStatusVLANTPIDValid},
	})
	want := [][]byte{
		append([]byte{0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 0xbb, 0, 0, 0x08, 0x00}, payload...),
		append([]byte{0, 4, 0, 1, 0, 6, 2, 0, 0, 0, 0, 0xbb, 0, 0, 0x81, 0x00, 0x20, 0x64, 0x86, 0xdd}, payload...),
		append([]byte{0, 3, 0x03, 0x04, 0, 10, 1, 2, 3, 4, 5, 6, 7, 8, 0x88, 0xa8, 0, 5, 0x08, 0x06}, payload...),
	}
	frames, err := walkBlock(slices.Clone(blk), DefaultSnaplen, 0, LinkTypeLinuxSLL, nil)
	if err != nil || len(frames) != len(want) {
		t.Fatalf("%d frames, %v", len(frames), err)
	}
	for i, f := range frames {
		if !bytes.Equal(f.Data, want[i]) || f.Length != len(want[i]) || f.CaptureLength != len(want[i]) {
			t.Errorf("frame %d (length %d, captured %d):\n got %x\nwant %x", i, f.Length, f.CaptureLength, f.Data, want[i])
		}
	}
	if frames[0].InterfaceIndex != 7 || frames[1].InterfaceIndex != 3 || frames[0].HasVLAN ||
		!frames[1].HasVLAN || frames[1].VLAN != 0x064 || frames[2].VLANTPID != 0x88a8 {
		t.Errorf("interfaces %d %d, VLANs %+v %+v", frames[0].InterfaceIndex, frames[1].InterfaceIndex, frames[1], frames[2])
	}
	// A snapshot length shorter than the cooked header cuts into it.
	short, _ := walkBlock(slices.Clone(blk), 14, 0, LinkTypeLinuxSLL, nil)
	if !bytes.Equal(short[1].Data, want[1][:14]) || short[1].Length != len(want[1]) {
		t.Errorf("snaplen 14: %x, length %d", short[1].Data, short[1].Length)
	}
	// Data that overlaps the address the kernel reports is corrupt.
	binary.LittleEndian.PutUint16(blk[blockHeaderLen+fhMac:], frameHdrLen+sllAddrLen-1)
	if _, err := walkBlock(blk, DefaultSnaplen, 0, LinkTypeLinuxSLL, nil); !errors.Is(err, errCorruptBlock) {
		t.Errorf("data over the address: %v", err)
	}
}

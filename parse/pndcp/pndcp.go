// Package pndcp decodes PROFINET DCP (Discovery and basic Configuration
// Protocol, IEC 61158-6-10) frames: the payload of EtherType 0x8892 starting at
// the 2-byte FrameID. The caller strips the Ethernet header and any 802.1Q tag.
//
// Decoding never allocates and never copies: byte fields are views into the
// input, which must stay unchanged while they are used. A [Frame] is
// caller-owned and reusable. [Frame.Decode] checks the header and indexes up
// to [MaxIndexed] blocks, read back with [Frame.NumBlocks] and [Frame.Block];
// the [Blocks] iterator ([Frame.Blocks]) walks any number of blocks. Typed
// block contents are read with the accessor methods of [Block]
// ([Block.IPParameter], [Block.DeviceID], [Block.DeviceOptions], ...), or
// gathered for asset discovery with [Frame.Identity]:
//
//	var f pndcp.Frame // reuse across frames
//	var id pndcp.Identity
//	if err := f.Decode(ethPayload); err == nil && f.Identity(&id) == nil {
//		// id.NameOfStation, id.VendorID, id.DeviceID, id.IP.IP, ...
//	}
//
// Field correspondence with Wireshark (tshark field names, see the corpus
// README field map):
//
//	Frame.FrameID          pn_rt.frame_id
//	Frame.ServiceID        pn_dcp.service_id
//	Frame.ServiceType      pn_dcp.service_type
//	Frame.Xid              pn_dcp.xid
//	Frame.ResponseDelay    pn_dcp.response_delay (Identify requests only)
//	Frame.DataLength       pn_dcp.data_length
//	Block.Option           pn_dcp.option
//	Block.Suboption        pn_dcp.suboption_ip / _device / _dhcp / _control /
//	                       _deviceinitiative / _all / _manuf (by option)
//	Block.Length           pn_dcp.block_length
//	Block.Info             pn_dcp.block_info (responses; IP block:
//	                       pn_dcp.suboption_ip_block_info) or
//	                       pn_dcp.block_qualifier (Set requests)
//	Block.Text             NameOfStation (2/2) pn_dcp.suboption_device_nameofstation,
//	                       DeviceVendorValue (2/1) pn_dcp.suboption_device_devicevendorvalue,
//	                       AliasName (2/6) pn_dcp.suboption_device_aliasname
//	IPParameter.IP/Netmask/Gateway  pn_dcp.suboption_ip_ip / _subnetmask / _standard_gateway
//	Block.DeviceID         pn_dcp.suboption_vendor_id, pn_dcp.suboption_device_id
//	Block.DeviceRole       pn_dcp.suboption_device_role
//	Block.DeviceInstance   pn_dcp.suboption_device_instance (high, low)
//	Block.OEMDeviceID      pn_dcp.suboption_device_oem_ven_id, _oem_dev_id
//	Block.DeviceOptions    pn_dcp.option + pn_dcp.suboption_* pairs
//	Block.ControlResponse  pn_dcp.suboption_control_option (option),
//	                       pn_dcp.suboption_<option> (suboption), pn_dcp.block_error
//	Block.DeviceInitiative pn_dcp.deviceinitiative_value
package pndcp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"net/netip"
)

// FrameIDs of the DCP frames (PROFINET RT acyclic range).
const (
	FrameIDHello            uint16 = 0xFEFC // Hello request (multicast)
	FrameIDGetSet           uint16 = 0xFEFD // Get/Set request and response (unicast)
	FrameIDIdentifyRequest  uint16 = 0xFEFE // Identify request (multicast)
	FrameIDIdentifyResponse uint16 = 0xFEFF // Identify response (unicast)
)

// EtherType is the EtherType that carries PROFINET RT frames, DCP among them.
const EtherType uint16 = 0x8892

// HeaderLen is the length of FrameID plus the DCP header.
const HeaderLen = 12

// ServiceID is the DCP service (pn_dcp.service_id).
type ServiceID uint8

// DCP services.
const (
	ServiceGet      ServiceID = 3
	ServiceSet      ServiceID = 4
	ServiceIdentify ServiceID = 5
	ServiceHello    ServiceID = 6
)

// String returns the service name.
func (s ServiceID) String() string {
	switch s {
	case ServiceGet:
		return "Get"
	case ServiceSet:
		return "Set"
	case ServiceIdentify:
		return "Identify"
	case ServiceHello:
		return "Hello"
	}
	return fmt.Sprintf("Service(%d)", uint8(s))
}

// ServiceType is the DCP service type (pn_dcp.service_type).
type ServiceType uint8

// DCP service types.
const (
	TypeRequest     ServiceType = 0 // request
	TypeSuccess     ServiceType = 1 // response, success
	TypeUnsupported ServiceType = 5 // response, service not supported
)

// Option is the option number of a DCP block (pn_dcp.option).
type Option uint8

// DCP options.
const (
	OptionIP               Option = 1
	OptionDevice           Option = 2
	OptionDHCP             Option = 3
	OptionReserved4        Option = 4
	OptionControl          Option = 5
	OptionDeviceInitiative Option = 6
	OptionNMEDomain        Option = 7
	OptionAll              Option = 0xFF // All-selector (Identify request)
)

// IsManufacturer reports whether o is a manufacturer-specific option (0x80-0xFE).
func (o Option) IsManufacturer() bool { return o >= 0x80 && o != OptionAll }

// Suboptions of OptionIP.
const (
	SubIPMAC        uint8 = 1 // MAC address
	SubIPParameter  uint8 = 2 // IP address, netmask, gateway
	SubIPFullSuite  uint8 = 3 // IP parameter + 4 DNS servers
	SubIPBlockIPv6  uint8 = 4 // reserved/IPv6 parameter in newer editions
	SubIPAll        uint8 = 0xFF
	ipParameterSize       = 12
)

// Suboptions of OptionDevice.
const (
	SubDeviceVendor          uint8 = 1 // DeviceVendorValue (TypeOfStation)
	SubDeviceNameOfStation   uint8 = 2
	SubDeviceID              uint8 = 3 // VendorID, DeviceID
	SubDeviceRole            uint8 = 4
	SubDeviceOptions         uint8 = 5 // list of option/suboption pairs
	SubDeviceAliasName       uint8 = 6
	SubDeviceInstance        uint8 = 7 // high, low
	SubDeviceOEMDeviceID     uint8 = 8 // OEM VendorID, OEM DeviceID
	SubDeviceStandardGateway uint8 = 9
	SubDeviceRSIProperties   uint8 = 10
)

// Suboptions of OptionControl.
const (
	SubControlStart          uint8 = 1
	SubControlStop           uint8 = 2
	SubControlSignal         uint8 = 3
	SubControlResponse       uint8 = 4 // option, suboption, BlockError
	SubControlFactoryReset   uint8 = 5
	SubControlResetToFactory uint8 = 6
)

// SubDeviceInitiative is the only suboption of OptionDeviceInitiative.
const SubDeviceInitiative uint8 = 1

// Errors returned by the decoder; test with errors.Is.
var (
	// ErrTooShort: the input ends before a header or block that it announces.
	ErrTooShort = errors.New("pndcp: too short")
	// ErrBadLength: a length field points beyond its container or is
	// inconsistent with the block's content.
	ErrBadLength = errors.New("pndcp: bad length")
	// ErrUnknownFrameID: the FrameID is not one of the four DCP FrameIDs.
	ErrUnknownFrameID = errors.New("pndcp: not a DCP FrameID")
	// ErrWrongBlock: a typed accessor was called on a block of another kind.
	// It is returned as is (not wrapped in an Error), without allocating.
	ErrWrongBlock = errors.New("pndcp: wrong block type")
)

// Error is a decoding error with the byte offset (from the FrameID) where it
// was found. It wraps one of the sentinel errors.
type Error struct {
	Offset int    // offset from the start of the input
	What   string // what was being decoded
	Err    error  // sentinel
}

func (e *Error) Error() string {
	return fmt.Sprintf("%v: %s at offset %d", e.Err, e.What, e.Offset)
}

// Unwrap returns the sentinel error.
func (e *Error) Unwrap() error { return e.Err }

// Frame is a decoded DCP header with a view of its block area.
type Frame struct {
	// (The header fields are in the order that lets Decode store them
	// with two moves.)
	FrameID       uint16      // PROFINET FrameID (0xFEFC-0xFEFF)
	ServiceType   ServiceType // request or response
	ServiceID     ServiceID   // Get, Set, Identify, Hello
	Xid           uint32      // transaction id
	DataLength    uint16      // DCPDataLength: bytes of blocks after the header
	ResponseDelay uint16      // Identify request: response delay factor; otherwise reserved
	Data          []byte      // view of the DataLength bytes of blocks

	// Overflow is true when the frame holds more than MaxIndexed blocks:
	// Block indexes the first MaxIndexed, the Blocks iterator walks them all.
	Overflow bool

	// kind, valueOff and n follow Overflow so that Decode can set the four
	// with one store.
	kind     blockKind
	valueOff uint8 // header bytes before a block's value: 2 (selector) or 4
	n        uint8 // blocks indexed
	// The index of the blocks, as offsets rather than slices so that
	// indexing stores no pointers; one small array per field so that
	// Decode and Block write and read each with one plain move. Block
	// builds Value from the value's offset and length (not from its two
	// ends) so that the compiler checks only that its end is in Data.
	//
	// hdr is the block's first 8 bytes as loaded little-endian, which
	// Decode's fast loop stores as they come: option (bits 0-7),
	// suboption (8-15) and the BlockInfo/BlockQualifier as on the wire
	// (32-47; zero without one). Bits 16-31 and 48-63 are not read.
	hdr [MaxIndexed]uint64
	vs  [MaxIndexed]uint16 // offset of the value in Data
	// Length of the value | 2<<16 if the block has a BlockInfo or
	// BlockQualifier (which Length counts but the value does not).
	vn [MaxIndexed]uint32
}

// MaxIndexed is the number of blocks Decode indexes into a Frame (a DCP
// Identify response typically carries 6 to 15).
const MaxIndexed = 32

// NumBlocks returns the number of blocks indexed by Decode: all blocks of
// the frame unless Overflow is set.
func (f *Frame) NumBlocks() int {
	// n never exceeds MaxIndexed; min tells the compiler so, which lets a
	// loop up to NumBlocks call Block without an index bounds check.
	return min(int(f.n), MaxIndexed)
}

// Block returns indexed block i (0 <= i < NumBlocks()). Its Value is a view
// into the decoded input. Decode has validated the block: Block only reads
// the index back.
func (f *Frame) Block(i int) Block {
	hd, vs, vx := f.hdr[i], int(f.vs[i]), int(f.vn[i])
	ve := vs + vx&0xffff
	return Block{Option: Option(hd), Suboption: uint8(hd >> 8), Length: uint16(vx + vx>>16), HasInfo: vx > 0xffff,
		Info: uint16(bits.ReverseBytes64(hd) >> 16), Value: f.Data[vs:ve:ve], Offset: vs - vx>>16 - int(f.valueOff)}
}

// Parse decodes b (starting at the FrameID) into a new Frame.
func Parse(b []byte) (Frame, error) {
	var f Frame
	err := f.Decode(b)
	return f, err
}

// requestKind is the block layout of requests by ServiceID (responses all
// carry a BlockInfo). It has an entry for every ServiceID so that indexing
// it needs no bounds check.
var requestKind = [256]blockKind{ServiceGet: kindSelector, ServiceSet: kindQualifier, ServiceHello: kindInfo}

// controlResponse is option/suboption 5/4 as indexed (option in the low
// byte): the one response block without a BlockInfo.
const controlResponse = uint16(OptionControl) | uint16(SubControlResponse)<<8

// Decode decodes b (starting at the FrameID) into f, replacing its contents,
// and indexes its blocks (see [Frame.Block]). Bytes after DataLength
// (Ethernet padding) are ignored. A malformed block returns an error wrapping
// ErrTooShort or ErrBadLength; the header and the blocks before it stay
// valid.
func (f *Frame) Decode(b []byte) error {
	if len(b) < HeaderLen {
		return f.decodeEnd(b)
	}
	h := b[:HeaderLen:HeaderLen]
	// (Byte expressions rather than encoding/binary calls: the compiler
	// combines them all the same, without an inlining marker each.)
	// FrameID, ServiceID and ServiceType: loaded big-endian and rotated
	// so that FrameID is in the low half, then ServiceType and ServiceID
	// (the order of the fields), which the compiler stores with one move.
	ft := bits.RotateLeft32(uint32(h[0])<<24|uint32(h[1])<<16|uint32(h[2])<<8|uint32(h[3]), 16)
	fid, sid, st := uint16(ft), uint8(ft>>24), uint8(ft>>16)
	f.FrameID, f.ServiceType, f.ServiceID = fid, ServiceType(st), ServiceID(sid)
	// Xid, DataLength and ResponseDelay likewise (one load, swap, rotate
	// and move).
	xr := uint64(h[4])<<56 | uint64(h[5])<<48 | uint64(h[6])<<40 | uint64(h[7])<<32 |
		uint64(h[8])<<24 | uint64(h[9])<<16 | uint64(h[10])<<8 | uint64(h[11])
	dl := int(uint16(xr))
	xr = bits.RotateLeft64(xr, 32)
	f.Xid, f.DataLength, f.ResponseDelay = uint32(xr), uint16(xr>>32), uint16(xr>>48)
	if dl > len(b)-HeaderLen || dl == 0 || fid < FrameIDHello || fid > FrameIDIdentifyResponse {
		return f.decodeEnd(b)
	}
	// dl > 0: the slice needs no pointer masking.
	d := b[HeaderLen : HeaderLen+dl : HeaderLen+dl]
	f.Data = d
	minInfo := uint(2)
	if ft&0xff0000 == 0 { // ServiceType(st) == TypeRequest, tested in place
		kind := requestKind[sid]
		f.Overflow, f.kind, f.valueOff, f.n = false, kind, 4, 0
		switch kind {
		case kindSelector:
			return f.indexSelectors(d)
		case kindPlain:
			minInfo = 1 << 16
		}
	} else {
		f.Overflow, f.kind, f.valueOff, f.n = false, kindInfo, 4, 0
	}
	// Index the blocks: this is the hot path of DCP decoding. It mirrors
	// Blocks.Next (kept separate so that it runs without a call per block).
	// A block has a BlockInfo/BlockQualifier when its length is at least
	// minInfo (never, for kindPlain) and it is not Control/Response. A
	// padding byte follows an odd-length block, not counted in its length;
	// at the end of Data it may be missing: then the offset passes len(d) by
	// one, which ends the loops all the same.
	//
	// The first loop takes the common case: a block shorter than 256 bytes
	// with 8 bytes of Data left from its header on, among the first
	// MaxIndexed blocks. It reads the header and the BlockInfo from one
	// window of x without further bounds checks. Its offset v of a block
	// is that of the block's value in Data, 4 bytes past the block's header
	// (at x[v+8], as Data starts at x[12]); v32 is a uint32 so that the
	// compiler knows that v+16 cannot overflow. From one block to the next
	// (the chain of latencies that bounds this loop) there is only the
	// load of the low length byte, an addition and a rounding; the
	// comparisons, the other loads and the stores run beside it. Whether
	// a block ends within Data is not tested in the loop (see below). The
	// second loop takes whatever is left, including every error.
	k := 0
	x := b[: HeaderLen+dl : HeaderLen+dl]
	lim := len(x) - 16
	v32 := uint32(4)
	// Three blocks per round, so that the count is tested once for the
	// three. The second and third repeat the steps of the first. (In the
	// second, the two BlockInfo tests are swapped and e5 comes after the
	// stores; with the order of the request and response branches above,
	// this is the arrangement found to need the fewest padding NOPs
	// before jumps with Go 1.26. It does not change what the code does.)
	for k < MaxIndexed-2 {
		v := uint(v32)
		if int(v) > lim {
			if int(v)-4 == dl {
				// The last block ends at the end of Data: the common
				// end, taken here without the test below.
				f.n = uint8(k)
				return nil
			}
			break
		}
		w := x[v : v+16 : v+16]
		// Option, suboption, length and BlockInfo (if any) as one
		// little-endian word, stored as is.
		hd := uint64(w[8]) | uint64(w[9])<<8 | uint64(w[10])<<16 | uint64(w[11])<<24 |
			uint64(w[12])<<32 | uint64(w[13])<<40 | uint64(w[14])<<48 | uint64(w[15])<<56
		// The low length byte, loaded on its own for the short chain
		// (x[v+11] rather than w[11], which would keep the compiler from
		// combining hd's loads into one).
		n := uint(x[v+11])
		if hd&0xff0000 != 0 {
			break // a block of 256 bytes or more: left to the loop below
		}
		// e5 is the block's end plus 5, from which the next v is one
		// rounding away (the rounding adds the padding byte of an odd
		// block). v+5 is computed as (v+4)|1 (v is even) so that the
		// compiler does not fold it into v+n+5: computed from v while n
		// is loaded, it keeps the +5 off the chain.
		e5 := (v + 4) | 1 + n
		if n < minInfo || uint16(hd) == controlResponse {
			f.hdr[k], f.vs[k], f.vn[k] = uint64(uint32(hd)), uint16(v), uint32(n)
		} else {
			f.hdr[k], f.vs[k], f.vn[k] = hd, uint16(v+2), uint32(n)+(2<<16-2)
		}
		v = e5 &^ 1
		if int(v) > lim {
			k++
			v32 = uint32(v)
			break
		}
		w = x[v : v+16 : v+16]
		hd = uint64(w[8]) | uint64(w[9])<<8 | uint64(w[10])<<16 | uint64(w[11])<<24 |
			uint64(w[12])<<32 | uint64(w[13])<<40 | uint64(w[14])<<48 | uint64(w[15])<<56
		n = uint(x[v+11])
		if hd&0xff0000 != 0 {
			k++
			v32 = uint32(v)
			break
		}
		if uint16(hd) == controlResponse || n < minInfo {
			f.hdr[k+1], f.vs[k+1], f.vn[k+1] = uint64(uint32(hd)), uint16(v), uint32(n)
		} else {
			f.hdr[k+1], f.vs[k+1], f.vn[k+1] = hd, uint16(v+2), uint32(n)+(2<<16-2)
		}
		e5 = (v + 4) | 1 + n
		v = e5 &^ 1
		if int(v) > lim {
			k += 2
			v32 = uint32(v)
			break
		}
		w = x[v : v+16 : v+16]
		hd = uint64(w[8]) | uint64(w[9])<<8 | uint64(w[10])<<16 | uint64(w[11])<<24 |
			uint64(w[12])<<32 | uint64(w[13])<<40 | uint64(w[14])<<48 | uint64(w[15])<<56
		n = uint(x[v+11])
		if hd&0xff0000 != 0 {
			k += 2
			v32 = uint32(v)
			break
		}
		e5 = (v + 4) | 1 + n
		if n < minInfo || uint16(hd) == controlResponse {
			f.hdr[k+2], f.vs[k+2], f.vn[k+2] = uint64(uint32(hd)), uint16(v), uint32(n)
		} else {
			f.hdr[k+2], f.vs[k+2], f.vn[k+2] = hd, uint16(v+2), uint32(n)+(2<<16-2)
		}
		v32 = uint32(e5) &^ 1
		k += 3
	}
	// Whether the last block indexed ends within Data is tested once
	// here, not in the loop: while the next block's window fits, it does.
	// When the next block's offset p is dl, the last block ends exactly
	// at the end of Data (the common case). Beyond (p > dl, or p = dl+1
	// for an odd-length block without its padding byte at the end), its
	// end is read back from the index. If the block ends past Data, the
	// loop below indexes all blocks again and reports the error at its
	// offset.
	p := int(v32) - 4
	if p >= dl {
		if p == dl || int(f.vs[k-1])+int(uint16(f.vn[k-1])) <= dl {
			f.n = uint8(k)
			return nil
		}
		k, p = 0, 0
	}
	for p < len(d) {
		if k >= MaxIndexed {
			f.Overflow = true
			break
		}
		if p+4 > len(d) {
			f.n = uint8(k)
			return errAt(HeaderLen+p, "block header", ErrTooShort)
		}
		w := d[p : p+4 : p+4]
		n := int(w[2])<<8 | int(w[3])
		e := p + 4 + n
		if e > len(d) {
			f.n = uint8(k)
			return errAt(HeaderLen+p+2, "DCPBlockLength", ErrBadLength)
		}
		hd, vs := uint64(w[0])|uint64(w[1])<<8, p+4
		if uint(n) >= minInfo && uint16(hd) != controlResponse {
			bi := d[vs : vs+2 : vs+2]
			hd |= uint64(bi[0])<<32 | uint64(bi[1])<<40
			vs += 2
		}
		f.hdr[k], f.vs[k], f.vn[k] = hd, uint16(vs), uint32(e-vs)|uint32(vs-p-4)<<16
		k++
		p = e + n&1
	}
	f.n = uint8(k)
	return nil
}

// decodeEnd ends Decode of a frame with no block to index: b shorter than
// the header, an unknown FrameID, a DataLength past the end of b or 0. The
// header fields are already set unless b is too short. It is kept out of
// Decode so that the hot path stays short.
func (f *Frame) decodeEnd(b []byte) error {
	f.n, f.Overflow, f.Data = 0, false, nil
	if len(b) < HeaderLen {
		f.FrameID, f.ServiceID, f.ServiceType, f.Xid, f.ResponseDelay, f.DataLength = 0, 0, 0, 0, 0, 0
		f.kind = f.blockKind()
		return errAt(len(b), "DCP header", ErrTooShort)
	}
	f.kind = f.blockKind()
	if f.FrameID < FrameIDHello || f.FrameID > FrameIDIdentifyResponse {
		return errAt(0, "FrameID", ErrUnknownFrameID)
	}
	if int(f.DataLength) > len(b)-HeaderLen {
		return errAt(10, "DCPDataLength", ErrBadLength)
	}
	f.Data = b[HeaderLen:HeaderLen:HeaderLen]
	return nil
}

// indexSelectors indexes the option/suboption pairs of a Get request.
func (f *Frame) indexSelectors(d []byte) error {
	f.Overflow, f.valueOff = false, 2
	p, k := 0, 0
	for ; p+2 <= len(d) && k < MaxIndexed; p += 2 {
		f.hdr[k], f.vs[k], f.vn[k] = uint64(d[p])|uint64(d[p+1])<<8, uint16(p+2), 0
		k++
	}
	f.n = uint8(k)
	if p < len(d) {
		if k >= MaxIndexed {
			f.Overflow = true
			return nil
		}
		return errAt(HeaderLen+p, "selector", ErrTooShort)
	}
	return nil
}

// errAt returns a decoding error. It is kept out of line so that the hot
// path carries no allocation code.
//
//go:noinline
func errAt(off int, what string, err error) error {
	return &Error{Offset: off, What: what, Err: err}
}

// IsResponse reports whether the frame is a response (service type not request).
func (f *Frame) IsResponse() bool { return f.ServiceType != TypeRequest }

// blockKind tells how blocks of this frame are laid out.
type blockKind uint8

const (
	kindPlain     blockKind = iota // option, suboption, length, value (Identify request filters)
	kindInfo                       // value starts with BlockInfo (responses, Hello)
	kindQualifier                  // value starts with BlockQualifier (Set request)
	kindSelector                   // option, suboption only (Get request)
)

// Blocks returns an iterator over all blocks of f, without the MaxIndexed
// limit of [Frame.Block].
func (f *Frame) Blocks() Blocks {
	return Blocks{rest: f.Data, kind: f.kind}
}

// blockKind returns the block layout of f's service (what Decode stores in
// f.kind).
func (f *Frame) blockKind() blockKind {
	if f.ServiceType != TypeRequest {
		return kindInfo
	}
	return requestKind[f.ServiceID]
}

// Blocks iterates over the blocks of a frame. The zero value yields nothing.
type Blocks struct {
	rest []byte // blocks not yet returned
	off  int    // offset of rest from the first block
	kind blockKind
	err  error
}

// Block is one DCP block. For Get requests (a list of selectors) only Option
// and Suboption are set.
type Block struct {
	Option    Option
	Suboption uint8
	Length    uint16 // DCPBlockLength as on the wire (excludes the padding byte)
	// HasInfo is true when Info holds a BlockInfo (responses, Hello) or a
	// BlockQualifier (Set requests). Control/Response blocks (5/4) have none.
	HasInfo bool
	Info    uint16
	// Value is a view of the block content after BlockInfo/BlockQualifier.
	Value []byte
	// Offset is the block's offset from the first block (add HeaderLen for the
	// offset from the FrameID).
	Offset int
}

// Next decodes the next block into blk and reports whether there was one.
// It returns false at the end of the blocks or on an error, which Err then
// reports.
func (it *Blocks) Next(blk *Block) bool {
	rest := it.rest
	if len(rest) < 4 {
		if len(rest) == 0 {
			return false
		}
		if it.kind != kindSelector || len(rest) < 2 {
			it.fail("block header", ErrTooShort, 0)
			return false
		}
	}
	if it.kind == kindSelector {
		*blk = Block{Option: Option(rest[0]), Suboption: rest[1], Offset: it.off}
		it.rest, it.off = rest[2:], it.off+2
		return true
	}
	n := int(rest[2])<<8 | int(rest[3])
	end := 4 + n
	if end > len(rest) {
		it.fail("DCPBlockLength", ErrBadLength, 2)
		return false
	}
	blk.Option, blk.Suboption, blk.Offset, blk.Length = Option(rest[0]), rest[1], it.off, uint16(n)
	v := rest[4:end:end]
	if it.kind != kindPlain && n >= 2 && (blk.Option != OptionControl || blk.Suboption != SubControlResponse) {
		blk.HasInfo, blk.Info, blk.Value = true, uint16(v[0])<<8|uint16(v[1]), v[2:]
	} else {
		blk.HasInfo, blk.Info, blk.Value = false, 0, v
	}
	if n&1 == 1 && end < len(rest) {
		end++ // padding byte after an odd-length block, not counted in the length
	}
	it.rest, it.off = rest[end:], it.off+end
	return true
}

func (it *Blocks) fail(what string, err error, at int) {
	it.err = &Error{Offset: HeaderLen + it.off + at, What: what, Err: err}
	it.rest = nil
}

// Err returns the error that stopped the iteration, if any.
func (it *Blocks) Err() error { return it.err }

func (b *Block) is(o Option, sub uint8) bool { return b.Option == o && b.Suboption == sub }

func (b *Block) short(what string) error {
	return &Error{Offset: HeaderLen + b.Offset, What: what, Err: ErrBadLength}
}

// MAC returns the MAC address of an IP/MAC block (1/1), as a view.
func (b *Block) MAC() ([]byte, error) {
	if !b.is(OptionIP, SubIPMAC) {
		return nil, ErrWrongBlock
	}
	if len(b.Value) < 6 {
		return nil, b.short("IP/MAC")
	}
	return b.Value[:6:6], nil
}

// IPParameter holds the content of an IP parameter (1/2) or full IP suite
// (1/3) block.
type IPParameter struct {
	IP, Netmask, Gateway netip.Addr
	// DNS holds the four DNS server addresses of a full IP suite block
	// (zero Addr values for an IP parameter block).
	DNS [4]netip.Addr
}

func addr4(b []byte) netip.Addr { return netip.AddrFrom4([4]byte{b[0], b[1], b[2], b[3]}) }

// IPParameter decodes an IP parameter (1/2) or full IP suite (1/3) block. The
// block's Info is the IP BlockInfo (0 not set, 1 set, 2 set by DHCP, +0x80
// address conflict) in responses.
func (b *Block) IPParameter() (IPParameter, error) {
	var p IPParameter
	err := b.DecodeIPParameter(&p)
	return p, err
}

// DecodeIPParameter is IPParameter decoding into a caller-owned p (reset first).
func (b *Block) DecodeIPParameter(p *IPParameter) error {
	*p = IPParameter{}
	if b.Option != OptionIP || (b.Suboption != SubIPParameter && b.Suboption != SubIPFullSuite) {
		return ErrWrongBlock
	}
	v := b.Value
	if len(v) < ipParameterSize {
		return b.short("IP parameter")
	}
	p.IP, p.Netmask, p.Gateway = addr4(v), addr4(v[4:]), addr4(v[8:])
	if b.Suboption == SubIPFullSuite {
		if len(v) < ipParameterSize+16 {
			return b.short("IP full suite")
		}
		for i := range p.DNS {
			p.DNS[i] = addr4(v[ipParameterSize+4*i:])
		}
	}
	return nil
}

// Text returns Value cut at the first NUL byte: the station, vendor and alias
// names as Wireshark shows them (some devices NUL-pad them). It is a view.
func (b *Block) Text() []byte {
	if i := bytes.IndexByte(b.Value, 0); i >= 0 {
		return b.Value[:i:i]
	}
	return b.Value
}

// DeviceID decodes a Device/DeviceID block (2/3).
func (b *Block) DeviceID() (vendorID, deviceID uint16, err error) {
	return b.idPair(SubDeviceID, "Device/DeviceID")
}

// OEMDeviceID decodes a Device/OEMDeviceID block (2/8).
func (b *Block) OEMDeviceID() (vendorID, deviceID uint16, err error) {
	return b.idPair(SubDeviceOEMDeviceID, "Device/OEMDeviceID")
}

func (b *Block) idPair(sub uint8, what string) (uint16, uint16, error) {
	if !b.is(OptionDevice, sub) {
		return 0, 0, ErrWrongBlock
	}
	if len(b.Value) < 4 {
		return 0, 0, b.short(what)
	}
	return binary.BigEndian.Uint16(b.Value), binary.BigEndian.Uint16(b.Value[2:]), nil
}

// Device roles (bit field of DeviceRole).
const (
	RoleIODevice     uint8 = 0x01
	RoleIOController uint8 = 0x02
	RoleIOMultidev   uint8 = 0x04
	RoleIOSupervisor uint8 = 0x08
)

// DeviceRole decodes a Device/DeviceRole block (2/4): a bit field of Role*.
func (b *Block) DeviceRole() (uint8, error) {
	if !b.is(OptionDevice, SubDeviceRole) {
		return 0, ErrWrongBlock
	}
	if len(b.Value) < 1 {
		return 0, b.short("Device/DeviceRole")
	}
	return b.Value[0], nil
}

// DeviceInstance decodes a Device/DeviceInstance block (2/7).
func (b *Block) DeviceInstance() (high, low uint8, err error) {
	if !b.is(OptionDevice, SubDeviceInstance) {
		return 0, 0, ErrWrongBlock
	}
	if len(b.Value) < 2 {
		return 0, 0, b.short("Device/DeviceInstance")
	}
	return b.Value[0], b.Value[1], nil
}

// DeviceInitiative decodes a DeviceInitiative block (6/1): 1 means the device
// issues Hello requests.
func (b *Block) DeviceInitiative() (uint16, error) {
	if !b.is(OptionDeviceInitiative, SubDeviceInitiative) {
		return 0, ErrWrongBlock
	}
	if len(b.Value) < 2 {
		return 0, b.short("DeviceInitiative")
	}
	return binary.BigEndian.Uint16(b.Value), nil
}

// ControlResponse decodes a Control/Response block (5/4) of a Set or Get
// response: the option/suboption answered and its BlockError (0 = ok).
func (b *Block) ControlResponse() (opt Option, sub uint8, blockError uint8, err error) {
	if !b.is(OptionControl, SubControlResponse) {
		return 0, 0, 0, ErrWrongBlock
	}
	if len(b.Value) < 3 {
		return 0, 0, 0, b.short("Control/Response")
	}
	return Option(b.Value[0]), b.Value[1], b.Value[2], nil
}

// OptionPair is one entry of a DeviceOptions block.
type OptionPair struct {
	Option    Option
	Suboption uint8
}

// OptionPairs iterates over the option/suboption pairs of a DeviceOptions
// block. The zero value yields nothing.
type OptionPairs struct{ data []byte }

// Next returns the next pair; false at the end (a trailing odd byte is ignored).
func (it *OptionPairs) Next() (OptionPair, bool) {
	if len(it.data) < 2 {
		return OptionPair{}, false
	}
	p := OptionPair{Option(it.data[0]), it.data[1]}
	it.data = it.data[2:]
	return p, true
}

// DeviceOptions returns an iterator over a Device/DeviceOptions block (2/5).
func (b *Block) DeviceOptions() (OptionPairs, error) {
	if !b.is(OptionDevice, SubDeviceOptions) {
		return OptionPairs{}, ErrWrongBlock
	}
	return OptionPairs{data: b.Value}, nil
}

// Identity is what one DCP frame says about the device that sent it (or the
// device a Set request targets). Byte fields are views into the frame; Has*
// tell which blocks were present.
type Identity struct {
	NameOfStation []byte // 2/2 (Block.Text)
	TypeOfStation []byte // 2/1 DeviceVendorValue (Block.Text)
	AliasName     []byte // 2/6 (Block.Text)
	MAC           []byte // 1/1

	HasDeviceID       bool
	VendorID          uint16 // 2/3
	DeviceID          uint16 // 2/3
	HasRole           bool
	Role              uint8 // 2/4
	HasInstance       bool
	InstanceHigh      uint8 // 2/7
	InstanceLow       uint8 // 2/7
	HasOEMDeviceID    bool
	OEMVendorID       uint16 // 2/8
	OEMDeviceID       uint16 // 2/8
	HasIP             bool
	IPBlockInfo       uint16 // BlockInfo of the IP block (responses)
	IP                IPParameter
	HasInitiative     bool
	DeviceInitiative  uint16 // 6/1
	ManufacturerBytes []byte // value of the first manufacturer-specific block
}

// Identity fills id (reset first) from the blocks of f. It returns the first
// block error met; fields found before it are kept. It does not allocate.
func (f *Frame) Identity(id *Identity) error {
	*id = Identity{}
	if f.kind == kindSelector {
		return nil
	}
	it := f.Blocks()
	var b Block
	for i := 0; ; i++ {
		if !f.Overflow {
			if i == int(f.n) {
				return nil
			}
			b = f.Block(i)
		} else if !it.Next(&b) {
			break
		}
		var err error
		switch b.Option {
		case OptionIP:
			switch b.Suboption {
			case SubIPMAC:
				id.MAC, err = b.MAC()
			case SubIPParameter, SubIPFullSuite:
				err = b.DecodeIPParameter(&id.IP)
				id.HasIP = err == nil
				id.IPBlockInfo = b.Info
			}
		case OptionDevice:
			switch b.Suboption {
			case SubDeviceVendor:
				id.TypeOfStation = b.Text()
			case SubDeviceNameOfStation:
				id.NameOfStation = b.Text()
			case SubDeviceAliasName:
				id.AliasName = b.Text()
			case SubDeviceID:
				id.VendorID, id.DeviceID, err = b.DeviceID()
				id.HasDeviceID = err == nil
			case SubDeviceOEMDeviceID:
				id.OEMVendorID, id.OEMDeviceID, err = b.OEMDeviceID()
				id.HasOEMDeviceID = err == nil
			case SubDeviceRole:
				id.Role, err = b.DeviceRole()
				id.HasRole = err == nil
			case SubDeviceInstance:
				id.InstanceHigh, id.InstanceLow, err = b.DeviceInstance()
				id.HasInstance = err == nil
			}
		case OptionDeviceInitiative:
			id.DeviceInitiative, err = b.DeviceInitiative()
			id.HasInitiative = err == nil
		default:
			if b.Option.IsManufacturer() && id.ManufacturerBytes == nil {
				id.ManufacturerBytes = b.Value
			}
		}
		if err != nil {
			return err
		}
	}
	return it.Err()
}

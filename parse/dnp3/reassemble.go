package dnp3

import "errors"

// MaxFragment is the largest application fragment a Reassembler holds.
// IEEE 1815 devices default to 2048 octets; 4096 leaves room for larger
// configured sizes.
const MaxFragment = 4096

// Reassembly errors. The partial fragment is dropped when one is returned.
var (
	// ErrSequence means a segment that is neither FIR nor the successor of
	// the previous segment (transport sequence numbers count modulo 64).
	ErrSequence = errors.New("dnp3: transport segment out of sequence")
	// ErrFragmentTooLong means the fragment grew beyond MaxFragment.
	ErrFragmentTooLong = errors.New("dnp3: application fragment too long")
)

// Reassembler joins the transport segments of one direction of one
// association (one source and destination address pair over one
// connection) into application fragments, without allocating. Keep one per
// direction; the zero value is ready to use.
//
//	frag, err := r.Add(f)
//	if frag != nil {
//		var a dnp3.App
//		err = a.Decode(frag)
//	}
type Reassembler struct {
	buf    [MaxFragment]byte
	n      int
	next   uint8
	active bool
}

// Add feeds the transport segment of a decoded frame (one whose
// HasTransport is true; callers should not feed frames that failed with
// ErrBadCRC, whose data cannot be trusted). It returns the complete fragment when f carries
// the FIN segment: a view into the frame for a single-segment fragment, or
// into the Reassembler's buffer, valid until the next Add. Frames without a
// transport segment are ignored.
func (r *Reassembler) Add(f *Frame) ([]byte, error) {
	if !f.HasTransport {
		return nil, nil
	}
	t := f.Transport
	data := f.UserData[1:]
	if t.FIR {
		r.n, r.active = 0, false
		if t.FIN {
			return data, nil
		}
	} else if !r.active || t.Seq != r.next {
		r.Reset()
		return nil, ErrSequence
	}
	if r.n+len(data) > len(r.buf) {
		r.Reset()
		return nil, ErrFragmentTooLong
	}
	r.n += copy(r.buf[r.n:], data)
	r.next = (t.Seq + 1) & 0x3f
	r.active = true
	if t.FIN {
		frag := r.buf[:r.n]
		r.n, r.active = 0, false
		return frag, nil
	}
	return nil, nil
}

// Reset drops any partial fragment.
func (r *Reassembler) Reset() {
	r.n, r.active, r.next = 0, false, 0
}

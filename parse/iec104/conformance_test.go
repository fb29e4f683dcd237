package iec104

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/wirebom/wirebom/internal/corpustest"
)

var corpusFiles = []string{"iec104_javarmi_misc", "iec104_testdissect"}

// decodeLikeOracle decodes one TCP payload and returns the oracle's field
// arrays as Wireshark would emit them. The only Wireshark behaviour
// reproduced here rather than in the decoder is TCP PDU framing with
// reassembly off (packet-iec104.c via tcp_dissect_pdus): a PDU is only
// dissected when at least 6 octets remain (garbage before the start byte
// included) and its computed length (garbage + 2 + apdu_len) is at least 6.
func decodeLikeOracle(p []byte) (map[string][]int64, []error) {
	got := map[string][]int64{}
	add := func(k string, v int64) { got[k] = append(got[k], v) }
	var errs []error
	var it Iter
	it.Resync = true
	it.Reset(p)
	for {
		start := it.Offset()
		if len(p)-start < 6 {
			break
		}
		if !it.Next() {
			break
		}
		a := it.APDU()
		if err := it.Err(); err != nil {
			errs = append(errs, err)
		}
		if it.Skipped()+2+int(a.Length) < 6 {
			break
		}
		add("apdu_len", int64(a.Length))
		if a.Length < MinAPDULen || len(a.Raw) < 6 {
			continue
		}
		add("type", int64(a.Format))
		switch a.Format {
		case FormatI:
			add("tx", int64(a.SendSeq))
			add("rx", int64(a.RecvSeq))
		case FormatS:
			add("rx", int64(a.RecvSeq))
		case FormatU:
			add("utype", int64(a.UFunc))
		}
		if !a.HasASDU {
			continue
		}
		s := &a.ASDU
		add("type_id", int64(s.TypeID))
		add("sq", corpustest.B2I(s.SQ))
		add("num_ix", int64(s.NumObjects))
		add("cause_tx", int64(s.Cause))
		add("negative", corpustest.B2I(s.Negative))
		add("test", corpustest.B2I(s.Test))
		add("originator", int64(s.Originator))
		add("common_addr", int64(s.CommonAddr))
		ioas := s.IOAs()
		for v, ok := ioas.Next(); ok; v, ok = ioas.Next() {
			add("ioa", int64(v))
		}
	}
	return got, errs
}

// knownDivergence lists frames where we deliberately differ from tshark 4.0,
// with the reason.
var knownDivergence = map[string]map[int]string{
	"iec104_testdissect": {
		// "68 06 18 18 18 18 | 18 18": an I frame whose ASDU has 2 of the 9
		// octets of its fixed header. tshark prints type_id/sq/num_ix from
		// the stub; we report ErrBadLength and no ASDU.
		41: "ASDU shorter than its fixed header",
		// "68 08 1a 1a 1a 1a | 1a 1a 1a 1a": 4-octet ASDU, tshark prints the
		// header fields that fit.
		83: "ASDU shorter than its fixed header",
		// APDU truncated by the end of the segment inside the ASDU: tshark
		// prints type_id from the one octet present.
		94: "ASDU truncated",
	},
}

func TestConformance(t *testing.T) {
	for _, name := range corpusFiles {
		t.Run(name, func(t *testing.T) {
			oracle := corpustest.ReadOracle(t, name)
			frames := corpustest.ReadSegments(t, name)
			compared, fields := 0, 0
			seen := map[[3]uint64]bool{}
			for _, fr := range frames {
				rec, ok := oracle[fr.Num]
				if !ok {
					t.Fatalf("frame %d missing from oracle", fr.Num)
				}
				want := rec.Group(t, "iec104")
				if fr.Proto != 6 || (fr.SrcPort != Port && fr.DstPort != Port) {
					if want != nil {
						t.Errorf("frame %d: oracle has iec104 but not TCP/2404", fr.Num)
					}
					continue
				}
				if corpustest.IsRetransmission(seen, fr) {
					if want != nil {
						t.Errorf("frame %d: retransmission dissected by tshark", fr.Num)
					}
					continue
				}
				got, errs := decodeLikeOracle(fr.Payload)
				if reason, ok := knownDivergence[name][fr.Num]; ok {
					if len(errs) == 0 {
						t.Errorf("frame %d (%s): expected a decode error", fr.Num, reason)
					}
					continue
				}
				if rec.Malformed() {
					// Whatever Wireshark calls malformed must fail strict
					// decoding (no resync over garbage).
					var strict Iter
					strict.Reset(fr.Payload)
					failed := false
					for strict.Next() {
						failed = failed || strict.Err() != nil
					}
					if !failed && strict.Err() == nil {
						t.Errorf("frame %d: tshark says malformed, strict decoding returned no error", fr.Num)
					}
				}
				wantN := map[string][]int64{}
				for k, vs := range want {
					for _, v := range vs {
						n, ok := corpustest.Num(v)
						if !ok {
							t.Fatalf("frame %d: %s: non-numeric %v", fr.Num, k, v)
						}
						wantN[k] = append(wantN[k], n)
					}
				}
				if len(wantN) == 0 && len(got) == 0 {
					continue
				}
				compared++
				if !reflect.DeepEqual(got, wantN) {
					t.Errorf("frame %d:\n got %v\nwant %v\nerrs %v", fr.Num, got, wantN, errs)
					continue
				}
				for _, v := range wantN {
					fields += len(v)
				}
			}
			t.Logf("%s: %d frames with IEC 104, %d field values equal to tshark", name, compared, fields)
			if compared == 0 {
				t.Fatal("no frame compared")
			}
		})
	}
}

func TestErrorsAreTyped(t *testing.T) {
	var a APDU
	err := a.Decode([]byte{0x67, 4, 7, 0, 0, 0})
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrBadStart) || e.Offset != 0 {
		t.Fatalf("got %v", err)
	}
	_ = fmt.Sprint(err)
}

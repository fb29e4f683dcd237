package dnp3

import (
	"errors"
	"reflect"
	"testing"

	"github.com/wirebom/wirebom/internal/corpustest"
)

var corpusFiles = []string{"dnp3_read_and_response", "dnp3_unsolicited_and_confirm", "dnp3_test_data_part1", "dnp3_malformed_openics"}

// decodeLikeOracle decodes a payload and returns the oracle's arrays, with
// al_obj from walking every object block (ObjectIter). Multi-segment
// fragments are joined with the flow's Reassembler (tshark reports al_* on
// the frame that completes the fragment); reassembled reports whether one
// completed here.
func decodeLikeOracle(p []byte, flow func(f *Frame) *Reassembler) (got map[string][]int64, errs []error, reassembled bool, objErr error) {
	got = map[string][]int64{}
	add := func(k string, v int64) { got[k] = append(got[k], v) }
	var joined App
	var it Iter
	it.Reset(p)
	for it.Next() {
		f := it.Frame()
		if err := it.Err(); err != nil {
			errs = append(errs, err)
		}
		if len(f.Raw) < HeaderLen || f.Length < MinLength {
			// packet-dnp.c rejects a frame whose length octet is below 5
			// (not DNP3), so tshark shows nothing for it.
			continue
		}
		add("start", Start)
		add("len", int64(f.Length))
		add("ctl", int64(f.Control))
		add("dir", corpustest.B2I(f.Dir))
		add("prm", corpustest.B2I(f.Prm))
		if f.Prm {
			add("prifunc", int64(f.Func))
		} else {
			add("secfunc", int64(f.Func))
		}
		add("dst", int64(f.Dst))
		add("src", int64(f.Src))
		if !f.HasTransport {
			continue
		}
		add("tr_fin", corpustest.B2I(f.Transport.FIN))
		add("tr_fir", corpustest.B2I(f.Transport.FIR))
		add("tr_seq", int64(f.Transport.Seq))
		app := &f.App
		has := f.HasApp
		frag, err := flow(f).Add(f)
		if err != nil {
			errs = append(errs, err)
		}
		if frag != nil && !(f.Transport.FIR && f.Transport.FIN) {
			reassembled = true
			if err := joined.Decode(frag); err != nil {
				errs = append(errs, err)
			}
			app, has = &joined, true
		}
		if has {
			add("al_seq", int64(app.Seq))
			add("al_func", int64(app.Func))
			// packet-dnp.c shows IIN for 129/130 and walks objects only
			// for the function codes of tsharkObjFuncs.
			if app.HasIIN && app.Func != FuncAuthenticateResponse {
				add("al_iin", int64(app.IIN))
			}
			if app.HasObject && tsharkObjFuncs[app.Func] {
				oi := app.ObjectIter()
				for oi.Next() {
					add("al_obj", int64(oi.Object().Header.Obj()))
				}
				if err := oi.Err(); err != nil {
					objErr = err
				}
			}
		}
	}
	if err := it.Err(); err != nil {
		errs = append(errs, err)
	}
	return got, errs, reassembled, objErr
}

var tsharkObjFuncs = map[uint8]bool{1: true, 2: true, 3: true, 4: true, 5: true, 6: true, 7: true, 8: true, 9: true, 10: true,
	20: true, 21: true, 25: true, 26: true, 27: true, 129: true, 130: true}

func TestConformance(t *testing.T) {
	for _, name := range corpusFiles {
		t.Run(name, func(t *testing.T) {
			oracle := corpustest.ReadOracle(t, name)
			compared, fields, reassembledN, malformed, malformedErr, unknownObj, weFlagOnly := 0, 0, 0, 0, 0, 0, 0
			flows := map[[4]uint32]*Reassembler{}
			seen := map[[3]uint64]bool{}
			for _, fr := range corpustest.ReadSegments(t, name) {
				rec := oracle[fr.Num]
				want := rec.Group(t, "dnp3")
				if fr.SrcPort != Port && fr.DstPort != Port || len(fr.Payload) == 0 || corpustest.IsRetransmission(seen, fr) {
					if want != nil {
						t.Errorf("frame %d: oracle has dnp3, test skipped it", fr.Num)
					}
					continue
				}
				got, errs, joined, objErr := decodeLikeOracle(fr.Payload, func(f *Frame) *Reassembler {
					k := [4]uint32{uint32(fr.SrcPort), uint32(fr.DstPort), uint32(f.Src), uint32(f.Dst)}
					if flows[k] == nil {
						flows[k] = new(Reassembler)
					}
					return flows[k]
				})
				if joined {
					reassembledN++
				}
				wantN := map[string][]int64{}
				for k, vs := range want {
					for _, v := range vs {
						n, ok := corpustest.Num(v)
						if !ok {
							t.Fatalf("frame %d: %s: %v", fr.Num, k, v)
						}
						wantN[k] = append(wantN[k], n)
					}
				}
				if fuzzed := name == "dnp3_malformed_openics"; fuzzed {
					// OpenICS mutated the object data of one request; after
					// the first object header the walks of this package and
					// of packet-dnp.c read different garbage (an inverted
					// range, g0v0 "attributes"), so only the first header
					// is compared there, and disagreements on whether the
					// object data is malformed are counted, not failed.
					if v := wantN["al_obj"]; len(v) > 1 {
						wantN["al_obj"] = v[:1]
					}
					if v := got["al_obj"]; len(v) > 1 {
						got["al_obj"] = v[:1]
					}
					if objErr != nil && !rec.Malformed() {
						weFlagOnly++
					}
				} else if objErr != nil {
					// The object walk stopped early: an object whose size
					// this package does not know (ErrUnknownObject), or data
					// running past the fragment (ErrBadLength, which tshark
					// must call malformed). tshark lists the headers it
					// managed to read past that point too; compare the
					// prefix we have.
					if errors.Is(objErr, ErrBadLength) && !rec.Malformed() {
						// Our object walk found data past the end of the
						// fragment: Wireshark must agree it is malformed.
						t.Errorf("frame %d: object walk says %v, tshark not malformed", fr.Num, objErr)
					}
					if errors.Is(objErr, ErrUnknownObject) {
						unknownObj++
					}
					if n := len(got["al_obj"]); len(wantN["al_obj"]) >= n {
						wantN["al_obj"] = wantN["al_obj"][:n]
					}
					if len(got["al_obj"]) == 0 {
						delete(got, "al_obj")
						delete(wantN, "al_obj")
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
				if rec.Malformed() {
					malformed++
					if len(errs) > 0 || objErr != nil {
						malformedErr++
					} else {
						t.Errorf("frame %d: tshark says malformed, no decode or object-walk error", fr.Num)
					}
				}
				for _, v := range wantN {
					fields += len(v)
				}
			}
			t.Logf("%s: %d frames compared, %d field values equal to tshark, %d frames completing a multi-segment fragment; %d malformed per tshark, %d of them with a decode or object-walk error; %d object walks stopped at an object of unknown size; %d frames we call malformed and tshark does not", name, compared, fields, reassembledN, malformed, malformedErr, unknownObj, weFlagOnly)
			if compared == 0 {
				t.Fatal("nothing compared")
			}
		})
	}
}

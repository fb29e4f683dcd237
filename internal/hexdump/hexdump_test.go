package hexdump

import (
	"strings"
	"testing"
)

func TestAppend(t *testing.T) {
	data := []byte("E\x00\x00\x54\x00\x00@\x00@\x01<\xa7\x7f\x00\x00\x01\x7f\x00\x00\x01\x08\x00")
	want := "\t0x0000:  4500 0054 0000 4000 4001 3ca7 7f00 0001  E..T..@.@.<.....\n" +
		"\t0x0010:  7f00 0001 0800                           ......\n"
	if got := string(Append(nil, data, true)); got != want {
		t.Errorf("-X:\n got %q\nwant %q", got, want)
	}
	want = "\t0x0000:  4500 0054 0000 4000 4001 3ca7 7f00 0001\n" +
		"\t0x0010:  7f00 0001 0800\n"
	if got := string(Append(nil, data, false)); got != want {
		t.Errorf("-x:\n got %q\nwant %q", got, want)
	}
	odd := string(Append([]byte("x"), []byte{0xab}, false))
	if odd != "x\t0x0000:  ab\n" {
		t.Errorf("one byte: %q", odd)
	}
	if got := Append(nil, nil, true); len(got) != 0 {
		t.Errorf("no bytes: %q", got)
	}
	long := Append(nil, make([]byte, 0x10010), false)
	if !strings.Contains(string(long), "\t0x10000:  0000") {
		t.Errorf("offsets past 0xffff lose digits: %q", long[len(long)-40:])
	}
}

func TestLinkHeaderLen(t *testing.T) {
	eth := make([]byte, 60)
	eth[12], eth[13] = 0x08, 0x00
	tagged := make([]byte, 60)
	tagged[12], tagged[13], tagged[16], tagged[17], tagged[20], tagged[21] = 0x88, 0xa8, 0x81, 0x00, 0x08, 0x00
	sll := make([]byte, 40)
	sll[14], sll[15], sll[18], sll[19] = 0x81, 0x00, 0x86, 0xdd
	for _, tc := range []struct {
		lt   uint32
		data []byte
		want int
	}{
		{linkTypeEthernet, eth, 14},
		{linkTypeEthernet, tagged, 22},
		{linkTypeEthernet, tagged[:15], 15},
		{linkTypeEthernet, eth[:5], 5},
		{linkTypeLinuxSLL, sll, 20},
		{linkTypeNull, eth, 4},
		{linkTypeNull, eth[:2], 2},
		{linkTypeRaw, eth, 0},
		{147, eth, 0},
	} {
		if got := LinkHeaderLen(tc.lt, tc.data); got != tc.want {
			t.Errorf("link type %d, %d bytes: %d, want %d", tc.lt, len(tc.data), got, tc.want)
		}
	}
}

func FuzzLinkHeaderLen(f *testing.F) {
	f.Add(uint32(1), []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x81, 0x00, 0, 1, 0x81, 0x00})
	f.Fuzz(func(t *testing.T, lt uint32, data []byte) {
		if n := LinkHeaderLen(lt, data); n < 0 || n > len(data) {
			t.Fatalf("%d for %d bytes", n, len(data))
		}
		Append(nil, data, lt%2 == 0)
	})
}

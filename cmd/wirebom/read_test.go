package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/pcapgo"
	"github.com/urfave/cli/v2"
)

const corpusDir = "../../testdata/corpus"

// runWirebom runs the CLI in-process and returns stdout, stderr and the
// exit code main would use.
func runWirebom(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	app := newApp()
	app.Writer, app.ErrWriter = &out, &errb
	app.ExitErrHandler = func(*cli.Context, error) {} // do not os.Exit in tests
	err := app.Run(append([]string{"wirebom"}, args...))
	code := 0
	if err != nil {
		var ec cli.ExitCoder
		if errors.As(err, &ec) {
			code = ec.ExitCode()
		} else {
			code = exitUsage
		}
		fmt.Fprintln(&errb, err.Error())
	}
	return out.String(), errb.String(), code
}

func pcapPath(name string) string { return filepath.Join(corpusDir, "pcaps", name) }

// oracle reads the tshark oracle of a corpus capture.
func oracle(t *testing.T, name string) []map[string]any {
	t.Helper()
	f, err := os.Open(filepath.Join(corpusDir, "oracle", name+".jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var recs []map[string]any
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, m)
	}
	return recs
}

func lines(s string) []string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func TestReadSummaries(t *testing.T) {
	out, errs, code := runWirebom(t, "read", "-r", pcapPath("pn_dcp_vlan_odd_name.pcap"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	ls := lines(out)
	if len(ls) != len(oracle(t, "pn_dcp_vlan_odd_name")) {
		t.Fatalf("%d lines, want one per packet:\n%s", len(ls), out)
	}
	// Frame 2 is an Identify response from an S7-300 with the hostile
	// NameOfStation "%n%n%n " (tshark: name_of_station, type_of_station,
	// vendor_id 42, device_id 257, ip 192.168.0.11), on VLAN 0.
	for _, want := range []string{"vlan 0", "PN-DCP Identify OK", `name="%n%n%n "`, `type="S7-300EC"`, "vendor=0x002a", "device=0x0101", "ip 192.168.0.11"} {
		if !strings.Contains(ls[1], want) {
			t.Errorf("line 2 %q lacks %q", ls[1], want)
		}
	}
}

func TestReadJSONMatchesOracle(t *testing.T) {
	const name = "dhcp_rfc3004"
	out, errs, code := runWirebom(t, "read", "--json", "-r", pcapPath(name+".pcap"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	want := oracle(t, name)
	ls := lines(out)
	if len(ls) != len(want) {
		t.Fatalf("%d JSON lines, oracle has %d frames", len(ls), len(want))
	}
	for i, l := range ls {
		var got map[string]any
		if err := json.Unmarshal([]byte(l), &got); err != nil {
			t.Fatalf("line %d: %v: %s", i+1, err, l)
		}
		for _, k := range []string{"frame", "cap_len", "len", "eth_src", "ip_src", "udp_dstport", "dhcp", "protocols"} {
			if fmt.Sprint(got[k]) != fmt.Sprint(want[i][k]) {
				t.Errorf("frame %d: %s = %v, tshark %v", i+1, k, got[k], want[i][k])
			}
		}
	}
}

func TestReadStats(t *testing.T) {
	const name = "profinet_lldp_arp"
	out, errs, code := runWirebom(t, "read", "--stats", "-r", pcapPath(name+".pcap"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var frames, bytes, lldp, arp int
	for _, r := range oracle(t, name) {
		frames++
		bytes += int(r["len"].(float64))
		if r["lldp"] != nil {
			lldp++
		}
		if r["arp"] != nil {
			arp++
		}
	}
	for _, want := range []string{
		fmt.Sprintf("frames:%d bytes:%d", frames, bytes),
		// tshark -z io,phs layout: name indented 2 per level, padded to 40.
		fmt.Sprintf("%-40s frames:%d ", "  lldp", lldp),
		fmt.Sprintf("%-40s frames:%d ", "  arp", arp),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stats lack %q:\n%s", want, out)
		}
	}
}

func TestReadCount(t *testing.T) {
	out, _, code := runWirebom(t, "read", "-c", "3", "-r", pcapPath("modbus_small_zeek.pcap"))
	if code != 0 || len(lines(out)) != 3 {
		t.Fatalf("exit %d, %d lines, want 3", code, len(lines(out)))
	}
}

// readBack reads a capture file with pcapgo (pcap or pcapng).
func readBack(t *testing.T, path string) (n int, lens []int, caps []int, ts []int64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var next func() (int, int, int64, error)
	if strings.HasSuffix(path, ".pcapng") {
		r, err := pcapgo.NewNgReader(f, pcapgo.DefaultNgReaderOptions)
		if err != nil {
			t.Fatal(err)
		}
		next = func() (int, int, int64, error) {
			d, ci, err := r.ReadPacketData()
			return len(d), ci.Length, ci.Timestamp.UnixNano(), err
		}
	} else {
		r, err := pcapgo.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		next = func() (int, int, int64, error) {
			d, ci, err := r.ReadPacketData()
			return len(d), ci.Length, ci.Timestamp.UnixNano(), err
		}
	}
	for {
		c, l, tsn, err := next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		n++
		caps, lens, ts = append(caps, c), append(lens, l), append(ts, tsn)
	}
}

func TestReadFilterWrite(t *testing.T) {
	const name = "profinet_lldp_arp"
	var arpFrames []int
	for i, r := range oracle(t, name) {
		if r["arp"] != nil {
			arpFrames = append(arpFrames, i)
		}
	}
	_, allLens, allCaps, allTS := readBack(t, pcapPath(name+".pcap"))
	for _, ext := range []string{".pcap", ".pcapng"} {
		out := filepath.Join(t.TempDir(), "arp"+ext)
		stdout, errs, code := runWirebom(t, "read", "-r", pcapPath(name+".pcap"), "-w", out, "--print", "arp")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		if got := len(lines(stdout)); got != len(arpFrames) {
			t.Errorf("%s: %d summary lines, tshark has %d ARP frames", ext, got, len(arpFrames))
		}
		// Without --print, -w is silent (tcpdump -w).
		if quiet, _, _ := runWirebom(t, "read", "-r", pcapPath(name+".pcap"), "-w", out, "arp"); quiet != "" {
			t.Errorf("-w without --print printed %q", quiet)
		}
		n, lens, caps, ts := readBack(t, out)
		if n != len(arpFrames) {
			t.Fatalf("%s: wrote %d packets, want %d", ext, n, len(arpFrames))
		}
		for i, fi := range arpFrames {
			if lens[i] != allLens[fi] || caps[i] != allCaps[fi] || ts[i] != allTS[fi] {
				t.Errorf("%s: packet %d: len %d cap %d ts %d, original %d %d %d", ext, i, lens[i], caps[i], ts[i], allLens[fi], allCaps[fi], allTS[fi])
			}
		}
	}
}

func TestReadDumpFilter(t *testing.T) {
	out, errs, code := runWirebom(t, "read", "-r", pcapPath("dns_udp.pcap"), "-dd", "udp", "port", "53")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	// tcpdump -dd's first instruction for this filter on Ethernet loads the
	// EtherType: ldh [12] = { 0x28, 0, 0, 0x0000000c }.
	if !strings.HasPrefix(out, "{ 0x28, 0, 0, 0x0000000c },\n") {
		t.Errorf("-dd output:\n%s", out)
	}
	out, _, code = runWirebom(t, "read", "-r", pcapPath("dns_udp.pcap"), "-d", "arp")
	if code != 0 || !strings.HasPrefix(out, "(000) ") {
		t.Errorf("-d output (exit %d):\n%s", code, out)
	}
	_, errs, code = runWirebom(t, "read", "-r", pcapPath("dns_udp.pcap"), "port", "and", "and")
	if code != exitUsage || !strings.Contains(errs, "filter") {
		t.Errorf("bad filter: exit %d, %s", code, errs)
	}
}

// pcapRecordOffsets walks the record headers of a little-endian pcap file
// (independently of the code under test) and returns each record's offset.
func pcapRecordOffsets(t *testing.T, b []byte) []int {
	t.Helper()
	if binary.LittleEndian.Uint32(b) != 0xa1b2c3d4 {
		t.Fatal("test file is not a little-endian microsecond pcap")
	}
	var offs []int
	for off := 24; off+16 <= len(b); {
		offs = append(offs, off)
		off += 16 + int(binary.LittleEndian.Uint32(b[off+8:]))
	}
	return offs
}

func TestReadTruncated(t *testing.T) {
	src, err := os.ReadFile(pcapPath("modbus_small_zeek.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	offs := pcapRecordOffsets(t, src)
	const k = 17 // cut packet 17 in the middle of its data
	cut := offs[k-1] + 16 + 5
	path := filepath.Join(t.TempDir(), "capture.pcap")
	if err := os.WriteFile(path, src[:cut], 0o644); err != nil {
		t.Fatal(err)
	}
	out, errs, code := runWirebom(t, "read", "-r", path)
	if code != exitUsage {
		t.Errorf("exit %d, want %d", code, exitUsage)
	}
	if got := len(lines(out)); got != k-1 {
		t.Errorf("printed %d packets before the damage, want %d", got, k-1)
	}
	want := fmt.Sprintf("capture.pcap: truncated packet record at byte offset %d (packet %d): file ends early", offs[k-1], k)
	if !strings.Contains(errs, want) {
		t.Errorf("stderr %q lacks %q", errs, want)
	}
	// A cut inside a record header is reported at that record too.
	if err := os.WriteFile(path, src[:offs[k-1]+7], 0o644); err != nil {
		t.Fatal(err)
	}
	_, errs, code = runWirebom(t, "read", "--json", "-r", path)
	if code != exitUsage || !strings.Contains(errs, want) {
		t.Errorf("header cut: exit %d, stderr %q", code, errs)
	}
}

func TestReadTruncatedPcapng(t *testing.T) {
	src, err := os.ReadFile(pcapPath("enip_vlan_set_attribute.pcapng"))
	if err != nil {
		t.Fatal(err)
	}
	// Walk the blocks (little-endian file): SHB, IDB, EPB...; cut the last
	// block in half.
	var offs []int
	for off := 0; off+8 <= len(src); off += int(binary.LittleEndian.Uint32(src[off+4:])) {
		offs = append(offs, off)
	}
	last := offs[len(offs)-1]
	path := filepath.Join(t.TempDir(), "cut.pcapng")
	if err := os.WriteFile(path, src[:last+12], 0o644); err != nil {
		t.Fatal(err)
	}
	_, errs, code := runWirebom(t, "read", "-r", path)
	want := fmt.Sprintf("truncated packet record at byte offset %d", last)
	if code != exitUsage || !strings.Contains(errs, want) {
		t.Errorf("exit %d, stderr %q, want %q", code, errs, want)
	}
}

func TestReadUnknownFormat(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(path, []byte("hello, this is not a capture\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errs, code := runWirebom(t, "read", "-r", path)
	if code != exitUsage || !strings.Contains(errs, "not a pcap or pcapng file") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
	_, errs, code = runWirebom(t, "read", "-r", filepath.Join(t.TempDir(), "missing.pcap"))
	if code != exitUsage || !strings.Contains(errs, "no such file") {
		t.Errorf("missing file: exit %d, stderr %q", code, errs)
	}
}

func TestReadStdinAndSLL(t *testing.T) {
	f, err := os.Open(pcapPath("s7comm_plus_sll.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	old := os.Stdin
	os.Stdin = f
	defer func() { os.Stdin = old }()
	out, errs, code := runWirebom(t, "read", "--json", "-r", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	want := oracle(t, "s7comm_plus_sll")
	ls := lines(out)
	if len(ls) != len(want) {
		t.Fatalf("%d lines, want %d", len(ls), len(want))
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(ls[0]), &first); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"ip_src", "ip_dst", "tcp_srcport", "tcp_dstport"} {
		if fmt.Sprint(first[k]) != fmt.Sprint(want[0][k]) {
			t.Errorf("%s = %v, tshark %v", k, first[k], want[0][k])
		}
	}
	if !strings.HasPrefix(first["protocols"].(string), "sll:ethertype:ip:tcp") {
		t.Errorf("protocols %v", first["protocols"])
	}
}

func TestReadWithoutFile(t *testing.T) {
	_, errs, code := runWirebom(t, "read")
	if code != exitUsage || !strings.Contains(errs, "name the file to read with -r FILE") {
		t.Errorf("no -r: exit %d, %q", code, errs)
	}
	// The file given without -r: the hint names the command that reads it.
	in := pcapPath("dns_udp.pcap")
	_, errs, code = runWirebom(t, "read", in)
	if code != exitUsage || !strings.Contains(errs, "wirebom read -r "+in) {
		t.Errorf("file without -r: exit %d, %q", code, errs)
	}
	// -d with no file compiles for Ethernet, as tcpdump -d does.
	out, errs, code := runWirebom(t, "read", "-d", "arp")
	if code != 0 || !strings.HasPrefix(out, "(000) ldh      [12]\n") || !strings.Contains(errs, "assuming Ethernet") {
		t.Errorf("-d without -r: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

func TestBadFlagOneLine(t *testing.T) {
	for _, args := range [][]string{
		{"capture", "-i", "lo", "-c", "-5"},
		{"read", "--no-such-flag"},
		{"cbom", "--no-such-flag"},
	} {
		out, errs, code := runWirebom(t, args...)
		want := "wirebom " + args[0] + ": "
		if code != exitUsage || out != "" || !strings.HasPrefix(errs, want) || strings.Count(errs, "\n") != 1 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit %d, one line on stderr starting %q",
				args, code, out, errs, exitUsage, want)
		}
	}
}

// TestReadHexDumpMatchesTcpdump compares the hex dumps of -x, -xx, -X and
// -XX with tcpdump's own on every corpus capture (Ethernet, VLAN and QinQ,
// Linux cooked, 802.3 with LLC and SNAP): the same dump lines, packet for
// packet.
func TestReadHexDumpMatchesTcpdump(t *testing.T) {
	files, err := filepath.Glob(pcapPath("*.pcap*"))
	if err != nil || len(files) < 30 {
		t.Fatalf("corpus: %d captures, %v", len(files), err)
	}
	dumpLines := func(s string) []string {
		var out []string
		for _, l := range lines(s) {
			if strings.HasPrefix(l, "\t0x") {
				out = append(out, l)
			}
		}
		return out
	}
	for _, name := range files {
		for _, style := range []string{"-x", "-xx", "-X", "-XX"} {
			out, errs, code := runWirebom(t, "read", "-r", name, style)
			if code != 0 {
				t.Fatalf("%s %s: exit %d: %s", name, style, code, errs)
			}
			td, err := exec.Command("tcpdump", "-n", "-r", name, style).Output()
			if err != nil {
				t.Fatalf("tcpdump %s %s: %v", name, style, err)
			}
			got, want := dumpLines(out), dumpLines(string(td))
			if len(want) == 0 {
				t.Fatalf("tcpdump %s %s printed no dump", name, style)
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				for i := range min(len(got), len(want)) {
					if got[i] != want[i] {
						t.Fatalf("%s %s: dump line %d:\n got %q\nwant %q", name, style, i+1, got[i], want[i])
					}
				}
				t.Fatalf("%s %s: %d dump lines, tcpdump %d", name, style, len(got), len(want))
			}
		}
	}
}

// TestReadFilterFile: -F reads the expression from a file, across lines,
// and a command-line expression beside it is ignored with a warning, as
// by tcpdump.
func TestReadFilterFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "filter")
	if err := os.WriteFile(file, []byte("tcp and\n  dst port 502\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	in := pcapPath("modbus_small_zeek.pcap")
	want, _, _ := runWirebom(t, "read", "-r", in, "tcp and dst port 502")
	all, _, _ := runWirebom(t, "read", "-r", in)
	if len(lines(want)) == 0 || len(lines(want)) == len(lines(all)) {
		t.Fatalf("the filter keeps %d of %d packets: pick another capture", len(lines(want)), len(lines(all)))
	}
	got, errs, code := runWirebom(t, "read", "-r", in, "-F", file, "udp")
	if code != 0 || got != want || !strings.Contains(errs, `ignoring "udp"`) {
		t.Fatalf("read -F: exit %d, %d lines (want %d), stderr %q", code, len(lines(got)), len(lines(want)), errs)
	}
	if _, errs, code := runWirebom(t, "read", "-r", in, "-F", file+".missing"); code != exitUsage || !strings.Contains(errs, "-F:") {
		t.Errorf("missing -F file: exit %d: %s", code, errs)
	}
}

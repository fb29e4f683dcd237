//go:build linux

package e2e

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gopacket/gopacket/pcapgo"

	"github.com/wirebom/wirebom/internal/hexdump"
	"github.com/wirebom/wirebom/internal/netns"
)

// TestCaptureFilesAgreeWithTshark sends 100 000 numbered frames of mixed
// sizes, some VLAN-tagged, and checks with tshark that the pcap and pcapng
// files hold every one, in order, with its VLAN ID.
func TestCaptureFilesAgreeWithTshark(t *testing.T) {
	const total = 100000
	for _, name := range []string{"out.pcap", "out.pcapng"} {
		t.Run(name, func(t *testing.T) {
			p := netns.New(t)
			out := filepath.Join(t.TempDir(), name)
			c := startCapture(t, p.NSA, nil, "-i", p.LinkA, "-w", out, "-c", strconv.Itoa(total))
			inject(t, p, 0, total)
			code, stderr := c.wait(t)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if !strings.Contains(stderr, fmt.Sprintf("%d packets captured", total)) ||
				!strings.Contains(stderr, "0 packets dropped by kernel") {
				t.Fatalf("summary lines: %s", stderr)
			}
			lines := tsharkFields(t, out, "frame.len", "vlan.id", "data.data")
			if len(lines) != total {
				t.Fatalf("tshark reads %d frames, want %d", len(lines), total)
			}
			for i, l := range lines {
				want, vid := netns.NumberedFrame(uint32(i))
				f := strings.Split(l, "\t")
				gotVID := ""
				if vid != 0 {
					gotVID = strconv.Itoa(int(vid))
				}
				if f[0] != strconv.Itoa(len(want)) || f[1] != gotVID {
					t.Fatalf("frame %d: tshark says length %s vlan %q, sent length %d vlan %q", i+1, f[0], f[1], len(want), gotVID)
				}
				// data.data is everything after the EtherType: the sequence number first.
				if !strings.HasPrefix(f[2], fmt.Sprintf("%08x", i)) {
					t.Fatalf("frame %d payload %s... does not start with its number", i+1, f[2][:min(16, len(f[2]))])
				}
			}
		})
	}
}

// TestCaptureStdoutIsPrompt streams `-w -` into a pcap reader while frames
// go out at 20 per second. It fails only if a frame takes seconds to come
// through (TPACKET_V3 with a 1 s block timeout would hold it for ~0.5 s).
func TestCaptureStdoutIsPrompt(t *testing.T) {
	const n = 40
	p := netns.New(t)
	c := startCapture(t, p.NSA, nil, "-i", p.LinkA, "-w", "-", "-c", strconv.Itoa(n))
	inj, err := netns.NewInjector(p.NSB, p.LinkB)
	if err != nil {
		t.Fatal(err)
	}
	defer inj.Close()
	// Send times, read by the pipe reader: the kernel orders the two, which
	// the race detector cannot see.
	sent := make([]atomic.Int64, n)
	got := make(chan time.Duration, n)
	go func() {
		defer close(got)
		r, err := pcapgo.NewReader(c.stdout)
		if err != nil {
			t.Error(err)
			return
		}
		for {
			data, _, err := r.ReadPacketData()
			if err != nil {
				return
			}
			if seq, ok := netns.SeqOf(data); ok && seq < n {
				got <- time.Since(time.Unix(0, sent[seq].Load()))
			}
		}
	}()
	tick := time.NewTicker(50 * time.Millisecond) // 20 frames per second
	defer tick.Stop()
	for i := uint32(0); i < n; i++ {
		<-tick.C
		f, _ := netns.NumberedFrame(i)
		sent[i].Store(time.Now().UnixNano())
		if err := inj.Send(f); err != nil {
			t.Fatal(err)
		}
	}
	var delays []time.Duration
	for d := range got {
		delays = append(delays, d)
	}
	if code, stderr := c.wait(t); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if len(delays) != n {
		t.Fatalf("read %d frames from the pipe, want %d", len(delays), n)
	}
	slices.Sort(delays)
	t.Logf("delivery delay through -w - at 20 frames/s: median %v, max %v", delays[n/2], delays[n-1])
	if delays[n-1] > 3*time.Second {
		t.Fatalf("a frame took %v to come through the pipe", delays[n-1])
	}
}

// TestCaptureErrors covers what users get wrong.
func TestCaptureErrors(t *testing.T) {
	p := netns.New(t)
	run := func(args ...string) (int, string) {
		cmd := netns.Command(p.NSA, binary, append([]string{"capture"}, args...)...)
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), string(out)
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0, string(out)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-i", "nosuch0", "-c", "1"}, "available: [lo " + p.LinkA},
		{[]string{"-i", p.LinkA, "-w", "/nonexistent/dir/x.pcap"}, "cannot write /nonexistent/dir/x.pcap"},
		{[]string{"-i", p.LinkA, "--block-size", "3000"}, "power of two"},
		{[]string{"-i", p.LinkA, "--buffer-size", "lots"}, "is not a size"},
		{[]string{"-i", p.LinkA, "--format", "erf", "-w", filepath.Join(t.TempDir(), "x")}, "use pcap or pcapng"},
		{[]string{"-c", "1"}, "interface"},
		{[]string{"-i", p.LinkA, "-s", "5"}, "-s 5: use 14 to 262144 bytes"},
		{[]string{"-i", p.LinkA, "-s", "-1"}, "-s -1: use 14 to 262144 bytes"},
		{[]string{"-i", p.LinkA, "--duration", "-1s"}, "--duration -1s: must not be negative"},
		{[]string{"-i", p.LinkA, "-w", filepath.Join(t.TempDir(), "x"), "-W", "3"}, "-W needs -C or -G"},
		{[]string{"-i", p.LinkA, "-w", "-", "-C", "10"}, "not standard output"},
		{[]string{"-i", p.LinkA, "-w", filepath.Join(t.TempDir(), "x"), "-C", "0"}, "-C: \"0\": use 1 to"},
		{[]string{"-i", p.LinkA, "-w", filepath.Join(t.TempDir(), "x-%Q"), "-G", "60"}, "%Q is not a conversion"},
		{[]string{"-r", "x.pcap"}, "to read x.pcap: wirebom read -r x.pcap"},
		{[]string{"-i", p.LinkA, "-Q", "both"}, "-Q: direction \"both\": use in, out or inout"},
	} {
		code, out := run(tc.args...)
		if code != 2 || !strings.Contains(out, tc.want) {
			t.Errorf("capture %v: exit %d, output %q; want exit 2 and %q", tc.args, code, out, tc.want)
		}
	}
	if _, out := run("-i", "nosuch0", "-c", "1"); strings.Contains(out, "rawsock") {
		t.Errorf("unknown interface: the message names a Go package: %s", out)
	}
	if out, err := netns.Command(p.NSA, "ip", "link", "set", p.LinkA, "down").CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if code, out := run("-i", p.LinkA, "-c", "1"); code != 2 || !strings.Contains(out, "interface is down") {
		t.Errorf("down interface: exit %d: %s", code, out)
	}
}

// TestCaptureInterfaceList checks -D (tcpdump's list) and that -i takes
// the index it shows, and that -s 0 means the full snapshot length.
func TestCaptureInterfaceList(t *testing.T) {
	p := netns.New(t)
	out, err := netns.Command(p.NSA, binary, "capture", "-D").Output()
	if err != nil {
		t.Fatalf("capture -D: %v", err)
	}
	index := ""
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		num, rest, ok := strings.Cut(l, ".")
		if !ok {
			t.Fatalf("capture -D line %q: want INDEX.NAME [FLAGS]", l)
		}
		if strings.HasPrefix(rest, p.LinkA+" [") {
			index = num
			if !strings.Contains(rest, "Up, Running") {
				t.Errorf("capture -D: %q: want Up, Running", l)
			}
		}
	}
	if index == "" {
		t.Fatalf("capture -D does not list %s:\n%s", p.LinkA, out)
	}
	c := startCapture(t, p.NSA, nil, "-i", index, "-s", "0", "-c", "3", "-w", filepath.Join(t.TempDir(), "x.pcap"))
	inject(t, p, 0, 3)
	code, stderr := c.wait(t)
	if code != 0 || !strings.Contains(stderr, "listening on "+p.LinkA+" ") ||
		!strings.Contains(stderr, "snapshot length 262144 bytes") || !strings.Contains(stderr, "3 packets captured") {
		t.Fatalf("capture -i %s -s 0: exit %d: %s", index, code, stderr)
	}
}

// TestCaptureAnyDevice captures numbered frames on the any device, as
// tcpdump -i any does: the file holds them as Linux cooked frames, which
// tshark reads with their VLAN IDs and the interface they came on; the filter ran in the kernel (nothing
// else is in the file); the printed lines give interface and direction.
func TestCaptureAnyDevice(t *testing.T) {
	const total = 2000
	p := netns.New(t)
	out := filepath.Join(t.TempDir(), "any.pcapng")
	c := startCapture(t, p.NSA, nil, "-i", "any", "-w", out, "-c", strconv.Itoa(total), "ether proto 0x88b5")
	inject(t, p, 0, total)
	if code, stderr := c.wait(t); code != 0 || !strings.Contains(stderr, "link-type LINUX_SLL") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := tsharkFields(t, out, "sll.pkttype", "sll.etype", "vlan.id", "frame.len", "frame.interface_name")
	if len(lines) != total {
		t.Fatalf("tshark reads %d frames, want %d", len(lines), total)
	}
	for i, l := range lines {
		want, vid := netns.NumberedFrame(uint32(i))
		etype, gotVID := "0x88b5", ""
		if vid != 0 {
			etype, gotVID = "0x8100", strconv.Itoa(int(vid))
		}
		// To another host (3); the cooked header is 2 bytes longer than
		// the Ethernet one.
		if l != strings.Join([]string{"3", etype, gotVID, strconv.Itoa(len(want) + 2), p.LinkA}, "\t") {
			t.Fatalf("frame %d: tshark says %q; sent VLAN %q, length %d", i+1, l, gotVID, len(want))
		}
	}

	c = startCapture(t, p.NSA, nil, "-i", "any", "-c", "2", "ether proto 0x88b5")
	inject(t, p, 0, 2)
	stdout, _ := io.ReadAll(c.stdout)
	if code, stderr := c.wait(t); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got := strings.Split(strings.TrimSpace(string(stdout)), "\n")
	want := []string{
		" " + p.LinkA + " P 02:00:00:00:00:bb, vlan 10, p 0, ethertype 0x88b5",
		" " + p.LinkA + " P 02:00:00:00:00:bb, ethertype 0x88b5",
	}
	for i, w := range want {
		if i >= len(got) || !strings.Contains(got[i], w) {
			t.Fatalf("printed lines:\n%s\nwant line %d to contain %q", stdout, i+1, w)
		}
	}
}

// TestCaptureHexDump: -x and -XX print each frame in hex after its line,
// from after the Ethernet header (and the VLAN tag put back) or whole.
func TestCaptureHexDump(t *testing.T) {
	p := netns.New(t)
	for _, tc := range []struct {
		flag string
		from int
		hex  hexdump.Style
	}{{"-x", 18, hexdump.Style{}}, {"-XX", 0, hexdump.Style{Link: true, ASCII: true}}} {
		c := startCapture(t, p.NSA, nil, "-i", p.LinkA, "-c", "1", tc.flag, "ether proto 0x88b5")
		inject(t, p, 0, 1) // frame 0 is tagged
		out, _ := io.ReadAll(c.stdout)
		if code, stderr := c.wait(t); code != 0 {
			t.Fatalf("%s: exit %d: %s", tc.flag, code, stderr)
		}
		f, _ := netns.NumberedFrame(0)
		_, dump, _ := strings.Cut(string(out), "\n")
		if want := string(hexdump.Append(nil, f[tc.from:], tc.hex.ASCII)); dump != want {
			t.Errorf("capture %s printed:\n%s\nwant after its line:\n%s", tc.flag, out, want)
		}
	}
}

// TestCapturePrivileges runs the binary as nobody: without capabilities it
// must exit 2 naming the setcap fix; with only cap_net_raw it captures.
func TestCapturePrivileges(t *testing.T) {
	p := netns.New(t)
	nobody := []string{"setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"}
	cmd := exec.Command("ip", append(append([]string{"netns", "exec", p.NSA}, nobody...), binary, "capture", "-i", p.LinkA, "-c", "1")...)
	out, err := cmd.CombinedOutput()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), "setcap cap_net_raw,cap_net_admin=eip") {
		t.Fatalf("as nobody without capabilities: %v: %s", err, out)
	}

	// A copy of the binary with only cap_net_raw, as `make setcap` (minus
	// cap_net_admin) would leave it.
	dir, err := os.MkdirTemp("", "wirebom-cap-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	os.Chmod(dir, 0o755) //nolint:errcheck
	capped := filepath.Join(dir, "wirebom")
	data, err := os.ReadFile(binary)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(capped, data, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("setcap", "cap_net_raw=ep", capped).CombinedOutput(); err != nil {
		t.Fatalf("setcap: %v: %s", err, out)
	}
	old := binary
	binary = capped
	c := startCapture(t, p.NSA, nobody, "-i", p.LinkA, "-c", "5")
	binary = old
	inject(t, p, 0, 5)
	if code, stderr := c.wait(t); code != 0 || !strings.Contains(stderr, "5 packets captured") {
		t.Fatalf("as nobody with cap_net_raw: exit %d: %s", code, stderr)
	}
}

// TestCaptureDiskFull writes into a 2 MiB tmpfs until it is full: the
// capture must stop with a clear error and the file must stay readable,
// holding exactly the packets wirebom says it holds.
func TestCaptureDiskFull(t *testing.T) {
	p := netns.New(t)
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("mount tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	out := filepath.Join(dir, "full.pcap")
	c := startCapture(t, p.NSA, nil, "-i", p.LinkA, "-w", out)
	inject(t, p, 0, 5000) // ~4 MB: twice what fits
	code, stderr := c.wait(t)
	if code == 0 || !strings.Contains(stderr, "no space left on device") {
		t.Fatalf("exit %d, stderr %q: want a non-zero exit naming the full disk", code, stderr)
	}
	var inFile int
	for _, l := range strings.Split(stderr, "\n") {
		fmt.Sscanf(l, "%d packets are in", &inFile)
	}
	lines := tsharkFields(t, out, "frame.number")
	if len(lines) == 0 || len(lines) != inFile {
		t.Fatalf("tshark reads %d packets, wirebom says %d are in the file: %s", len(lines), inFile, stderr)
	}

	// The same with -C: the disk fills in the second or third file.
	os.Remove(out)
	c = startCapture(t, p.NSA, nil, "-i", p.LinkA, "-w", out, "-C", "700KiB")
	inject(t, p, 0, 5000)
	code, stderr = c.wait(t)
	if code == 0 || !strings.Contains(stderr, "no space left on device") || !strings.Contains(stderr, "packets are in the files of "+out) {
		t.Fatalf("-C: exit %d, stderr %q: want a non-zero exit naming the full disk and the files", code, stderr)
	}
	for _, l := range strings.Split(stderr, "\n") {
		fmt.Sscanf(l, "%d packets are in", &inFile)
	}
	files, _ := filepath.Glob(out + "*")
	total := 0
	for _, f := range files {
		total += len(tsharkFields(t, f, "frame.number"))
	}
	if len(files) < 2 || total == 0 || total != inFile {
		t.Fatalf("-C: tshark reads %d packets in %d files, wirebom says %d: %s", total, len(files), inFile, stderr)
	}
}

// TestCaptureInterfaceGone deletes the link under a running capture.
func TestCaptureInterfaceGone(t *testing.T) {
	p := netns.New(t)
	out := filepath.Join(t.TempDir(), "gone.pcapng")
	c := startCapture(t, p.NSA, nil, "-i", p.LinkA, "-w", out)
	inject(t, p, 0, 100)
	time.Sleep(100 * time.Millisecond) // let the block timeout hand the frames over; not a timing assertion
	if o, err := netns.Command(p.NSA, "ip", "link", "del", p.LinkA).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, o)
	}
	code, stderr := c.wait(t)
	if code == 0 || !strings.Contains(stderr, "interface went away") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if n := len(tsharkFields(t, out, "frame.number")); n != 100 {
		t.Fatalf("file holds %d frames, want the 100 sent before the link went away", n)
	}
}

// TestCaptureRotation: -C goes on in new files (FILE, FILE1...) of just
// over the size, which together hold every frame in order; -C with -W
// reuses FILE0 to FILE(N-1); -G with -W ends the capture, exit 0, once
// its files are made, each named by the -w pattern.
func TestCaptureRotation(t *testing.T) {
	p := netns.New(t)
	dir := t.TempDir()
	const total = 5000
	c := startCapture(t, p.NSA, nil, "-i", p.LinkA, "-w", filepath.Join(dir, "c.pcap"), "-C", "1", "-c", strconv.Itoa(total))
	inject(t, p, 0, total)
	if code, stderr := c.wait(t); code != 0 {
		t.Fatalf("-C 1: exit %d: %s", code, stderr)
	}
	next := 0
	for k := 0; ; k++ {
		name := filepath.Join(dir, "c.pcap")
		if k > 0 {
			name += strconv.Itoa(k)
		}
		st, err := os.Stat(name)
		if err != nil {
			if next != total || k < 4 {
				t.Fatalf("%d files hold %d of %d frames: %v", k, next, total, err)
			}
			break
		}
		lines := tsharkFields(t, name, "data.data")
		for _, l := range lines {
			if !strings.HasPrefix(l, fmt.Sprintf("%08x", next)) {
				t.Fatalf("%s: frame %d out of order: %.8s", name, next, l)
			}
			next++
		}
		if next < total && (st.Size() <= 1e6 || st.Size() > 1e6+1514+16) {
			t.Errorf("%s: %d bytes, want just over 1 000 000", name, st.Size())
		}
	}

	c = startCapture(t, p.NSA, nil, "-i", p.LinkA, "-w", filepath.Join(dir, "r.pcapng"), "-C", "1", "-W", "2", "-c", strconv.Itoa(total))
	inject(t, p, 0, total)
	if code, stderr := c.wait(t); code != 0 {
		t.Fatalf("-C 1 -W 2: exit %d: %s", code, stderr)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "r.pcapng*"))
	if strings.Join(files, " ") != filepath.Join(dir, "r.pcapng0")+" "+filepath.Join(dir, "r.pcapng1") {
		t.Fatalf("-C 1 -W 2 made %v", files)
	}
	for _, f := range files {
		if n := len(tsharkFields(t, f, "frame.number")); n == 0 {
			t.Errorf("%s holds no frames", f)
		}
	}

	c = startCapture(t, p.NSA, nil, "-i", p.LinkA, "-w", filepath.Join(dir, "g-%Y%m%d-%H%M%S.pcap"), "-G", "1", "-W", "2")
	inj, err := netns.NewInjector(p.NSB, p.LinkB)
	if err != nil {
		t.Fatal(err)
	}
	defer inj.Close()
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		code, stderr, err := c.result()
		if err != nil || code != 0 || !strings.Contains(stderr, "2 files made, as -W 2 asks") {
			t.Errorf("-G 1 -W 2: exit %d, %v: %s", code, err, stderr)
		}
	}()
	// Frames at 20 per second until the capture ends by itself (the test
	// fails by timing out if it never does).
	for seq := uint32(0); ; seq++ {
		select {
		case <-ended:
			files, _ := filepath.Glob(filepath.Join(dir, "g-*.pcap"))
			if len(files) != 2 {
				t.Fatalf("-G 1 -W 2 made %v", files)
			}
			for _, f := range files {
				if _, err := time.Parse("20060102-150405", strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "g-"), ".pcap")); err != nil {
					t.Errorf("%s is not named by the pattern: %v", f, err)
				}
				tsharkFields(t, f, "frame.number") // readable
			}
			return
		case <-time.After(50 * time.Millisecond):
			fr, _ := netns.NumberedFrame(seq)
			if err := inj.Send(fr); err != nil {
				t.Fatal(err)
			}
		}
	}
}

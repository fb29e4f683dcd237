//go:build linux

package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gopacket/gopacket/pcapgo"

	"github.com/wirebom/wirebom/internal/netns"
)

// runGen sends n 64-byte frames from the B side at rate frames/s (0: as
// fast as it can) and returns the rate it achieved.
func runGen(t *testing.T, p *netns.Pair, n int, rate float64) float64 {
	t.Helper()
	out, err := netns.Command(p.NSB, gen, "-i", p.LinkB, "-n", strconv.Itoa(n), "-rate", fmt.Sprint(rate)).CombinedOutput()
	if err != nil {
		t.Fatalf("generator: %v: %s", err, out)
	}
	m := regexp.MustCompile(`\(([0-9.]+) frames/s\)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("generator said: %s", out)
	}
	r, _ := strconv.ParseFloat(string(m[1]), 64)
	return r
}

// TestZeroLoss measures what the generator sustains alone, then sends a
// million frames at half that rate through the whole pipeline (ring,
// decoding, pcap writer): nothing may be dropped or missed, and the file
// must hold every frame sent.
func TestZeroLoss(t *testing.T) {
	const total = 1000000
	p := netns.New(t)
	maxRate := runGen(t, p, 200000, 0)
	rate := maxRate / 2
	t.Logf("generator alone: %.0f frames/s; sending %d at %.0f frames/s", maxRate, total, rate)

	out := filepath.Join(t.TempDir(), "zero.pcap")
	c := startCapture(t, p.NSA, nil, "-i", p.LinkA, "-w", out, "--decode")
	runGen(t, p, total, rate)
	time.Sleep(200 * time.Millisecond) // the last block's retire timer; not a timing assertion
	c.cmd.Process.Signal(syscall.SIGINT)
	code, stderr := c.wait(t)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		fmt.Sprintf("%d packets captured", total),
		"0 packets dropped by kernel",
		fmt.Sprintf("UDP %d", total),
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "missed") || strings.Contains(stderr, "not decoded") {
		t.Errorf("a consumer missed packets:\n%s", stderr)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := pcapgo.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		_, _, err := r.ReadPacketData()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("reading %s after %d packets: %v", out, n, err)
		}
		n++
	}
	if n != total {
		t.Fatalf("file holds %d packets, sent %d", n, total)
	}
}

// TestMetricsEndpoint scrapes --metrics while frames flow.
func TestMetricsEndpoint(t *testing.T) {
	p := netns.New(t)
	c := startCapture(t, p.NSA, nil, "-i", p.LinkA, "-w", "/dev/null", "--metrics", "127.0.0.1:0")
	m := regexp.MustCompile(`metrics at (http://\S+/metrics)`).FindStringSubmatch(c.stderr.String())
	if m == nil {
		t.Fatalf("no metrics address on stderr: %s", c.stderr)
	}
	inject(t, p, 0, 1000)
	// The endpoint lives in namespace A: dial from there.
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (conn net.Conn, err error) {
		err = netns.Do(p.NSA, func() (err error) {
			conn, err = (&net.Dialer{}).DialContext(ctx, network, addr)
			return err
		})
		return conn, err
	}}}
	want := map[string]string{
		"wirebom_packets_received_total":                   "1000",
		"wirebom_packets_written_total":                    "1000",
		"wirebom_kernel_drops_total":                       "0",
		`wirebom_protocol_packets_total{protocol="other"}`: "1000",
		"wirebom_ring_refusals_total":                      "0",
	}
	var body string
	for try := 0; try < 100; try++ { // the frames reach the writer within a block timeout
		resp, err := client.Get(m[1])
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body = string(b)
		if strings.Contains(body, "wirebom_packets_written_total 1000") {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	for name, val := range want {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + ` ` + val + `$`).MatchString(body) {
			t.Errorf("metrics lack %s %s", name, val)
		}
	}
	if t.Failed() {
		t.Logf("scraped:\n%s", body)
	}
	c.cmd.Process.Signal(syscall.SIGINT)
	if code, stderr := c.wait(t); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
}

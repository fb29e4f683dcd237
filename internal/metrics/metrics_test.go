package metrics

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// fakeRing stands in for a ring queue.
type fakeRing struct{ n, hw atomic.Int64 }

func (f *fakeRing) Len() int        { return int(f.n.Load()) }
func (f *fakeRing) Cap() int        { return 4096 }
func (f *fakeRing) HighWater() int  { return int(f.hw.Load()) }
func (f *fakeRing) Refused() uint64 { return uint64(f.hw.Load() / 2) }

// pipeline holds the atomic counters a capture pipeline would keep.
type pipeline struct {
	packets, bytes, drops, freezes, written, parseErrs atomic.Uint64
	proto                                              [3]atomic.Uint64
	ring                                               fakeRing
}

var protoNames = [3]string{"modbus", "s7comm", "profinet_dcp"}

func (p *pipeline) capture() Capture {
	return Capture{
		PacketsReceived: p.packets.Load,
		BytesReceived:   p.bytes.Load,
		KernelDrops:     p.drops.Load,
		QueueFreezes:    p.freezes.Load,
		Ring:            &p.ring,
		PacketsWritten:  p.written.Load,
		ProtocolPackets: func(emit func(string, uint64)) {
			for i := range p.proto {
				emit(protoNames[i], p.proto[i].Load())
			}
		},
		ParseErrors: p.parseErrs.Load,
	}
}

// serve starts r on a loopback port and returns the scrape URL; the server
// stops when the test ends, and the test checks that Serve returned nil.
func serve(t *testing.T, r *Registry) string {
	t.Helper()
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String() + "/metrics"
}

// scrape fetches url as Prometheus does (text format) and parses the body
// with the Prometheus text parser under the strict legacy name rules, so a
// malformed exposition fails the test.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/plain;version=0.0.4")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s\n%s", url, resp.Status, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") || !strings.Contains(ct, "version=0.0.4") {
		t.Fatalf("Content-Type %q, want the text format 0.0.4", ct)
	}
	checkTextFormat(t, body)
	p := expfmt.NewTextParser(model.LegacyValidation)
	mfs, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("exposition does not parse: %v\n%s", err, body)
	}
	return mfs
}

// checkTextFormat applies the text format's line rules independently of the
// Prometheus libraries: every line is "# HELP name text", "# TYPE name
// type" (before that family's samples, once), or "name{labels} value".
func checkTextFormat(t *testing.T, body []byte) {
	t.Helper()
	if len(body) == 0 || body[len(body)-1] != '\n' {
		t.Fatalf("exposition does not end with a newline")
	}
	typed := map[string]bool{}
	sampled := map[string]bool{}
	for i, line := range strings.Split(strings.TrimSuffix(string(body), "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "# HELP "), strings.HasPrefix(line, "# TYPE "):
			f := strings.SplitN(line[len("# TYPE "):], " ", 2)
			if len(f) != 2 || !nameRE.MatchString(f[0]) {
				t.Fatalf("line %d: malformed comment %q", i+1, line)
			}
			if strings.HasPrefix(line, "# TYPE ") {
				if typed[f[0]] || sampled[f[0]] {
					t.Fatalf("line %d: TYPE for %s repeated or after its samples", i+1, f[0])
				}
				switch f[1] {
				case "counter", "gauge", "untyped", "summary", "histogram":
				default:
					t.Fatalf("line %d: unknown type %q", i+1, f[1])
				}
				typed[f[0]] = true
			}
		case strings.HasPrefix(line, "#"):
			t.Fatalf("line %d: unknown comment %q", i+1, line)
		default:
			name := line[:strings.IndexAny(line, "{ ")]
			if !nameRE.MatchString(name) {
				t.Fatalf("line %d: bad metric name in %q", i+1, line)
			}
			value := line[strings.LastIndexByte(line, ' ')+1:]
			var f float64
			if _, err := fmt.Sscan(value, &f); err != nil && value != "NaN" && value != "+Inf" && value != "-Inf" {
				t.Fatalf("line %d: bad value %q", i+1, value)
			}
			sampled[name] = true
		}
	}
}

// value returns the value of the sample of family name whose labels include
// want (name=value pairs), failing if there is not exactly one.
func value(t *testing.T, mfs map[string]*dto.MetricFamily, name string, typ dto.MetricType, want ...string) float64 {
	t.Helper()
	mf := mfs[name]
	if mf == nil {
		t.Fatalf("no series %s", name)
	}
	if mf.GetType() != typ {
		t.Fatalf("%s has type %v, want %v", name, mf.GetType(), typ)
	}
	if mf.GetHelp() == "" {
		t.Fatalf("%s has no help text", name)
	}
	var found []float64
next:
	for _, m := range mf.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		for i := 0; i+1 < len(want); i += 2 {
			if labels[want[i]] != want[i+1] {
				continue next
			}
		}
		if typ == dto.MetricType_COUNTER {
			found = append(found, m.GetCounter().GetValue())
		} else {
			found = append(found, m.GetGauge().GetValue())
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s%v: %d samples, want 1", name, want, len(found))
	}
	return found[0]
}

func TestScrapeFollowsCounters(t *testing.T) {
	var p pipeline
	r := New()
	if err := r.RegisterCapture(p.capture()); err != nil {
		t.Fatal(err)
	}
	url := serve(t, r)

	check := func(round uint64) {
		t.Helper()
		mfs := scrape(t, url)
		for name := range mfs {
			if !strings.HasPrefix(name, "wirebom_") {
				t.Errorf("series %s is not prefixed wirebom_", name)
			}
		}
		if len(mfs) != 11 {
			t.Errorf("%d families, want the 11 documented on Capture", len(mfs))
		}
		C, G := dto.MetricType_COUNTER, dto.MetricType_GAUGE
		for _, c := range []struct {
			name string
			typ  dto.MetricType
			want uint64
		}{
			{"wirebom_packets_received_total", C, 1000 * round},
			{"wirebom_bytes_received_total", C, 1 << 40 * round}, // beyond 32 bits
			{"wirebom_kernel_drops_total", C, 3 * round},
			{"wirebom_queue_freezes_total", C, round},
			{"wirebom_packets_written_total", C, 990 * round},
			{"wirebom_parse_errors_total", C, 7 * round},
			{"wirebom_ring_fill_items", G, 100 * round},
			{"wirebom_ring_capacity_items", G, 4096},
			{"wirebom_ring_high_water_items", G, 200 * round},
			{"wirebom_ring_refusals_total", C, 100 * round},
		} {
			if got := value(t, mfs, c.name, c.typ); got != float64(c.want) {
				t.Errorf("round %d: %s = %v, want %d", round, c.name, got, c.want)
			}
		}
		for i, proto := range protoNames {
			got := value(t, mfs, "wirebom_protocol_packets_total", C, "protocol", proto)
			if want := float64(uint64(i+1) * 10 * round); got != want {
				t.Errorf("round %d: protocol %s = %v, want %v", round, proto, got, want)
			}
		}
	}
	for round := uint64(0); round < 3; round++ {
		if round > 0 {
			// What capture does between scrapes: atomic adds only.
			p.packets.Add(1000)
			p.bytes.Add(1 << 40)
			p.drops.Add(3)
			p.freezes.Add(1)
			p.written.Add(990)
			p.parseErrs.Add(7)
			p.ring.n.Store(int64(100 * round))
			p.ring.hw.Store(int64(200 * round))
			for i := range p.proto {
				p.proto[i].Add(uint64(i+1) * 10)
			}
		}
		check(round)
	}
}

func TestWithLabelsSeparatesCaptures(t *testing.T) {
	var a, b pipeline
	a.packets.Store(5)
	b.packets.Store(9)
	r := New()
	if err := r.With(map[string]string{"interface": "eth0"}).RegisterCapture(a.capture()); err != nil {
		t.Fatal(err)
	}
	if err := r.With(map[string]string{"interface": "eth1"}).RegisterCapture(b.capture()); err != nil {
		t.Fatal(err)
	}
	if err := r.BuildInfo("v1.2.3"); err != nil {
		t.Fatal(err)
	}
	mfs := scrape(t, serve(t, r))
	if got := value(t, mfs, "wirebom_packets_received_total", dto.MetricType_COUNTER, "interface", "eth0"); got != 5 {
		t.Errorf("eth0 packets %v, want 5", got)
	}
	if got := value(t, mfs, "wirebom_packets_received_total", dto.MetricType_COUNTER, "interface", "eth1"); got != 9 {
		t.Errorf("eth1 packets %v, want 9", got)
	}
	value(t, mfs, "wirebom_protocol_packets_total", dto.MetricType_COUNTER, "interface", "eth1", "protocol", "s7comm")
	if got := value(t, mfs, "wirebom_build_info", dto.MetricType_GAUGE, "version", "v1.2.3"); got != 1 {
		t.Errorf("build_info %v, want 1", got)
	}

	// The same capture registered twice under the same labels is refused.
	if err := r.With(map[string]string{"interface": "eth0"}).RegisterCapture(a.capture()); err == nil {
		t.Error("registering eth0 twice succeeded")
	}
}

func TestOmittedFieldsAndRuntime(t *testing.T) {
	var p pipeline
	r := New()
	// A file replay: no kernel counters, no ring.
	if err := r.RegisterCapture(Capture{PacketsReceived: p.packets.Load, PacketsWritten: p.written.Load}); err != nil {
		t.Fatal(err)
	}
	if err := r.RegisterRuntime(); err != nil {
		t.Fatal(err)
	}
	mfs := scrape(t, serve(t, r))
	for _, absent := range []string{"wirebom_kernel_drops_total", "wirebom_ring_fill_items", "wirebom_protocol_packets_total"} {
		if mfs[absent] != nil {
			t.Errorf("%s served though its field is nil", absent)
		}
	}
	value(t, mfs, "wirebom_packets_written_total", dto.MetricType_COUNTER)
	if mfs["go_goroutines"] == nil || mfs["process_cpu_seconds_total"] == nil {
		t.Error("runtime series missing")
	}
}

func TestBadLabelValueKeepsOtherSeries(t *testing.T) {
	var p pipeline
	p.packets.Store(42)
	r := New()
	c := p.capture()
	c.ProtocolPackets = func(emit func(string, uint64)) {
		emit("modbus", 1)
		emit("bad\xff", 2) // not UTF-8
	}
	if err := r.RegisterCapture(c); err != nil {
		t.Fatal(err)
	}
	mfs := scrape(t, serve(t, r))
	if got := value(t, mfs, "wirebom_packets_received_total", dto.MetricType_COUNTER); got != 42 {
		t.Errorf("packets %v, want 42", got)
	}
	var buf bytes.Buffer
	if err := r.WriteText(&buf); err == nil || !strings.Contains(err.Error(), `bad\xff`) {
		t.Errorf("WriteText error %v, want one naming the bad label value", err)
	}
	if !strings.Contains(buf.String(), "wirebom_packets_received_total 42\n") {
		t.Errorf("WriteText left out good series:\n%s", buf.String())
	}
}

func TestRegistrationErrors(t *testing.T) {
	r := New()
	f := func() uint64 { return 0 }
	for _, err := range []error{
		r.CounterFunc("bad-name_total", "help", f),
		r.CounterFunc("", "help", f),
		r.CounterFunc("ok_total", "", f),
		r.CounterFunc("ok_total", "help", nil),
		r.GaugeFunc("ok", "help", nil),
		r.GaugeFunc("1abc", "help", func() float64 { return 0 }),
		r.CounterVecFunc("vec_total", "help", "bad-label", func(func(string, uint64)) {}),
		r.CounterVecFunc("vec_total", "help", "__reserved", func(func(string, uint64)) {}),
		r.CounterVecFunc("vec_total", "help", "protocol", nil),
	} {
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("got %v, want ErrInvalid", err)
		}
	}
	if err := r.CounterFunc("dup_total", "help", f); err != nil {
		t.Fatal(err)
	}
	err := r.CounterFunc("dup_total", "help", f)
	if err == nil || errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "wirebom_dup_total") {
		t.Errorf("duplicate registration: %v", err)
	}
	if err := r.With(map[string]string{"bad-label": "x"}).CounterFunc("x_total", "help", f); !errors.Is(err, ErrInvalid) {
		t.Errorf("invalid constant label name: %v", err)
	}
	if err := r.With(map[string]string{"iface": "\xff"}).RegisterRuntime(); !errors.Is(err, ErrInvalid) {
		t.Errorf("non-UTF-8 constant label value: %v", err)
	}
}

func TestListenErrors(t *testing.T) {
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().String()
	_, err = Listen(addr)
	var le *ListenError
	if !errors.As(err, &le) || !errors.Is(err, syscall.EADDRINUSE) {
		t.Fatalf("second Listen on %s: %v, want a *ListenError wrapping EADDRINUSE", addr, err)
	}
	if want := "metrics address " + addr + " already in use: choose another with --metrics"; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
	for _, bad := range []string{"", "127.0.0.1", "127.0.0.1:99999", "no such host name.invalid:9090"} {
		if _, err := Listen(bad); !errors.As(err, &le) || !strings.HasPrefix(err.Error(), "metrics address ") {
			t.Errorf("Listen(%q): %v", bad, err)
		}
	}
}

func TestServeStopsWithContext(t *testing.T) {
	r := New()
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Serve(ctx, ln) }()

	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `href="/metrics"`) {
		t.Errorf("GET /: %s %q", resp.Status, body)
	}
	resp, err = http.Get("http://" + addr + "/nothing")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /nothing: %s, want 404", resp.Status)
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve after cancel: %v", err)
	}
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Fatal("still accepting connections after Serve returned")
	}
}

func TestServeAddrConvenience(t *testing.T) {
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := Serve(ctx, ln.Addr().String(), New()); !errors.Is(err, syscall.EADDRINUSE) {
		t.Fatalf("Serve on a used address: %v", err)
	}
}

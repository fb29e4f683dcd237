package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/wirebom/wirebom/internal/hexdump"
	"github.com/wirebom/wirebom/internal/metrics"
	"github.com/wirebom/wirebom/internal/pipeline"
	"github.com/wirebom/wirebom/internal/rotate"
	"github.com/wirebom/wirebom/internal/tty"
	"github.com/wirebom/wirebom/rawsock"
	"github.com/wirebom/wirebom/rawsock/filter"
)

func init() {
	register(&cli.Command{
		Name:      "capture",
		Usage:     "capture packets from a live interface (no libpcap)",
		ArgsUsage: "[filter expression]",
		Description: `Captures on IFACE through a TPACKET_V3 memory-mapped ring and writes
nanosecond pcap or pcapng (-w), or prints one line per packet. Stops on -c,
--duration, Ctrl-C or SIGTERM, then prints tcpdump's three counters on stderr.

Examples:
  wirebom capture -i eth0 -w plant.pcapng --duration 10m
  wirebom capture -i eth0 -c 100
  wirebom capture -i eth0 -w - | tshark -r -`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "interface", Aliases: []string{"i"}, Usage: "interface to capture on, by name or index (see 'wirebom ifaces' or -D)"},
			&cli.BoolFlag{Name: "D", Usage: "list the interfaces with their indexes, as tcpdump -D, and exit"},
			&cli.BoolFlag{Name: "d", Usage: "print the compiled filter program like tcpdump -d, and exit"},
			&cli.BoolFlag{Name: "dd", Usage: "print it as a C array like tcpdump -dd, and exit"},
			&cli.BoolFlag{Name: "ddd", Usage: "print it in decimal like tcpdump -ddd, and exit"},
			&cli.StringFlag{Name: "write", Aliases: []string{"w"}, Usage: "write packets to `FILE` ('-' for stdout) instead of printing them"},
			&cli.StringFlag{Name: "C", Usage: "with -w: go on in a new file once the current one passes `SIZE`, in millions of bytes as tcpdump -C, or with a unit (100MiB); files after the first are FILE1, FILE2..."},
			&cli.IntFlag{Name: "W", Usage: "with -C: keep `N` files, FILE0 to FILE(N-1), overwriting the oldest; with -G: stop after N files"},
			&cli.IntFlag{Name: "G", Usage: "with -w: start a new file every `SECONDS`, named by the -w name as a strftime pattern (e.g. plant-%Y%m%d-%H%M%S.pcapng)"},
			&cli.StringFlag{Name: "format", Usage: "capture file format: pcap or pcapng (default: by the -w extension, else pcap)"},
			&cli.Uint64Flag{Name: "count", Aliases: []string{"c"}, Usage: "stop after `COUNT` packets"},
			&cli.DurationFlag{Name: "duration", Usage: "stop after `D` (e.g. 30s, 5m)"},
			&cli.IntFlag{Name: "snaplen", Aliases: []string{"s"}, Value: rawsock.DefaultSnaplen, Usage: "keep at most `SNAPLEN` bytes of each packet"},
			&cli.StringFlag{Name: "direction", Aliases: []string{"Q"}, Usage: "keep only packets coming `in`, going `out`, or both (inout, the default), as tcpdump -Q"},
			&cli.BoolFlag{Name: "no-promiscuous-mode", Aliases: []string{"p"}, Usage: "do not put the interface into promiscuous mode"},
			&cli.IntFlag{Name: "workers", Value: 1, Usage: "capture with `N` sockets in a PACKET_FANOUT group (hash by flow)"},
			&cli.StringFlag{Name: "buffer-size", Usage: "ring size, e.g. 64MiB (default 64MiB)"},
			&cli.IntFlag{Name: "B", Usage: "ring size in KiB, as tcpdump -B"},
			&cli.StringFlag{Name: "block-size", Usage: "ring block size, a power of two, e.g. 1MiB (default 256KiB)"},
			&cli.DurationFlag{Name: "block-timeout", Value: rawsock.DefaultRetireTimeout, Usage: "longest wait before a partly filled block is handed over"},
			&cli.IntFlag{Name: "ring-size", Value: pipeline.DefaultRingSize, Usage: "ring blocks each consumer (writer, decoder) may hold queued, a power of two; a decoder whose queue is full misses blocks (counted); the writer is waited for"},
			&cli.BoolFlag{Name: "decode", Usage: "decode every packet (parse workers) and print packets per protocol at the end"},
			&cli.StringFlag{Name: "metrics", Usage: "serve Prometheus metrics at http://`ADDR`/metrics (e.g. 127.0.0.1:9464); implies --decode"},
			&cli.BoolFlag{Name: "n", Usage: "do not resolve names (wirebom never does; accepted for tcpdump compatibility)"},
			&cli.StringFlag{Name: "r", Hidden: true}, // tcpdump's -r: pointed to wirebom read
			&cli.BoolFlag{Name: "U", Usage: "write each packet out promptly (wirebom writes after each batch of packets; accepted for tcpdump compatibility)"},
		}, tcpdumpFlags()...),
		Action: captureAction,
	})
}

func captureAction(c *cli.Context) error {
	if c.Bool("D") {
		return listInterfaces(os.Stdout)
	}
	if f := c.String("r"); f != "" {
		return usageError("wirebom capture: captures live; to read %s: wirebom read -r %s", f, f)
	}
	cfg := rawsock.Config{
		Snaplen:       c.Int("snaplen"),
		NoPromisc:     c.Bool("no-promiscuous-mode"),
		RetireTimeout: c.Duration("block-timeout"),
	}
	if cfg.Snaplen == 0 {
		cfg.Snaplen = rawsock.DefaultSnaplen // as tcpdump -s 0
	}
	if cfg.Snaplen < rawsock.MinSnaplen || cfg.Snaplen > rawsock.DefaultSnaplen {
		return usageError("wirebom capture: -s %d: use %d to %d bytes (0 means %[3]d, as in tcpdump)",
			cfg.Snaplen, rawsock.MinSnaplen, rawsock.DefaultSnaplen)
	}
	if s := c.String("direction"); s != "" {
		var err error
		if cfg.Direction, err = rawsock.ParseDirection(s); err != nil {
			return usageError("wirebom capture: -Q: %v", err)
		}
	}
	if d := c.Duration("duration"); d < 0 {
		return usageError("wirebom capture: --duration %v: must not be negative", d)
	}
	var err error
	if s := c.String("buffer-size"); s != "" {
		if cfg.BufferSize, err = parseSize(s); err != nil {
			return usageError("wirebom capture: --buffer-size: %v", err)
		}
	}
	if kb := c.Int("B"); kb > 0 {
		cfg.BufferSize = kb << 10
	}
	if s := c.String("block-size"); s != "" {
		if cfg.BlockSize, err = parseSize(s); err != nil {
			return usageError("wirebom capture: --block-size: %v", err)
		}
	}
	if cfg.BlockSize != 0 && cfg.BufferSize == 0 {
		cfg.BufferSize = max(rawsock.DefaultBufferSize/cfg.BlockSize, 1) * cfg.BlockSize
	}
	expr, err := filterExpression(c, "capture")
	if err != nil {
		return err
	}
	iface := interfaceByIndex(c.String("interface"))
	dump := c.Bool("d") || c.Bool("dd") || c.Bool("ddd")
	if iface == "" && !dump {
		return usageError("wirebom capture: name the interface to capture on with -i (see 'wirebom ifaces')")
	}
	// The filter is compiled for the interface's framing (Ethernet, bare IP
	// on tun and WireGuard, Npcap's loopback), so look that up first; -d
	// without -i compiles for Ethernet, as tcpdump -d does.
	linkType := rawsock.LinkTypeEthernet
	if iface != "" {
		if linkType, err = rawsock.InterfaceLinkType(iface); err != nil {
			return openError(iface, err)
		}
	}
	var prog filter.Program
	if expr != "" || dump {
		// Linux moves the outer VLAN tag out of the frame before the filter
		// runs; Npcap does not: compile "vlan" for what the kernel will see.
		fo := filter.Options{Snaplen: uint32(cfg.Snaplen), LinkType: filter.FromPcap(uint32(linkType)),
			LiveVLANOffload: runtime.GOOS == "linux" && linkType == rawsock.LinkTypeEthernet}
		if prog, err = filter.Compile(expr, fo); err != nil {
			return usageError("wirebom capture: filter %q: %v", expr, err)
		}
	}
	for _, d := range []struct {
		flag  string
		style filter.DumpStyle
	}{{"d", filter.DumpReadable}, {"dd", filter.DumpC}, {"ddd", filter.DumpDecimal}} {
		if c.Bool(d.flag) {
			if err := prog.Dump(os.Stdout, d.style); err != nil {
				return cli.Exit("wirebom capture: "+err.Error(), 1)
			}
			return nil
		}
	}
	if expr != "" {
		if cfg.Filter, err = prog.Assemble(); err != nil {
			return usageError("wirebom capture: filter %q: %v", expr, err)
		}
	}
	workers := c.Int("workers")
	if workers < 1 || workers > 64 {
		return usageError("wirebom capture: --workers %d: use 1 to 64", workers)
	}

	opts := pipeline.Options{
		Interface: iface,
		Config:    cfg,
		Workers:   workers,
		Count:     c.Uint64("count"),
		Duration:  c.Duration("duration"),
		RingSize:  c.Int("ring-size"),
		Warn:      func(msg string) { fmt.Fprintln(os.Stderr, "\rwirebom: warning:", msg) },
	}
	if rs := opts.RingSize; rs < 2 || rs > 1<<16 || rs&(rs-1) != 0 {
		return usageError("wirebom capture: --ring-size %d: use a power of two from 2 to 65536", rs)
	}
	var decoding *pipeline.Decoding
	if c.Bool("decode") || c.String("metrics") != "" {
		decoding = pipeline.NewDecoding()
		decoding.SetLinkType(linkType)
		opts.Processors = append(opts.Processors, decoding)
	}
	live := &pipeline.Live{}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if addr := c.String("metrics"); addr != "" {
		ln, err := metrics.Listen(addr)
		if err != nil {
			return usageError("wirebom capture: %v", err)
		}
		reg := metrics.New()
		err = errors.Join(reg.BuildInfo(version), reg.RegisterCapture(metrics.Capture{
			PacketsReceived: func() uint64 { return live.Stats().Captured },
			BytesReceived:   live.Bytes,
			KernelDrops:     func() uint64 { return live.Stats().Dropped },
			QueueFreezes:    func() uint64 { return live.Stats().QueueFreezes },
			Ring:            live.Queue(),
			PacketsWritten:  live.Packets,
			ProtocolPackets: decoding.EachProtocol,
			ParseErrors:     decoding.Errors,
		}))
		if err != nil {
			ln.Close()
			return cli.Exit("wirebom capture: metrics: "+err.Error(), 1)
		}
		go reg.Serve(ctx, ln) //nolint:errcheck // ends with the capture
		fmt.Fprintf(os.Stderr, "wirebom: metrics at http://%s/metrics\n", ln.Addr())
	}

	// Open the output before the capture starts, so an unwritable path is
	// reported before any packet is taken.
	var (
		writer  *rawsock.Writer
		outFile *os.File
		created bool
	)
	plan := rotate.Plan{Path: c.String("write"), Files: c.Int("W"), Period: time.Duration(c.Int("G")) * time.Second}
	if s := c.String("C"); s != "" {
		if plan.Size, err = parseFileSize(s); err != nil {
			return usageError("wirebom capture: -C: %v", err)
		}
	}
	if err := plan.Validate(); err != nil {
		return usageError("wirebom capture: %v", err)
	}
	namer := rotate.NewNamer(plan)
	if path := c.String("write"); path != "" {
		format := rawsock.FormatForPath(path)
		if f := c.String("format"); f != "" {
			if format, err = rawsock.ParseFileFormat(f); err != nil {
				return usageError("wirebom capture: --format: %v", err)
			}
		}
		if path == "-" {
			outFile = os.Stdout
		} else {
			if path, err = namer.Next(time.Now()); err != nil {
				return usageError("wirebom capture: -w: %v", err)
			}
			_, statErr := os.Stat(path)
			created = errors.Is(statErr, os.ErrNotExist)
			if outFile, err = os.Create(path); err != nil {
				return usageError("wirebom capture: cannot write %s: %v", path, errors.Unwrap(err))
			}
			defer outFile.Close()
		}
		var ifaces []rawsock.Interface
		if iface == rawsock.AnyInterface {
			// pcapng records which interface each frame came on.
			ifaces, _ = rawsock.Interfaces() // without them, every frame goes to interface 0
		}
		if writer, err = rawsock.NewWriter(outFile, format, linkType, cfg.Snaplen, ifaces...); err != nil {
			return usageError("wirebom capture: cannot write %s: %v", path, err)
		}
		if plan.Active() {
			writer.SetRotation(plan.Size, plan.Period, func() (*os.File, error) {
				name, err := namer.Next(time.Now())
				if err != nil {
					return nil, err
				}
				return os.Create(name)
			})
		}
		opts.Sinks = append(opts.Sinks, writer)
	} else {
		opts.Sinks = append(opts.Sinks, &linePrinter{w: bufio.NewWriter(os.Stdout), lt: linkType, dump: dumpStyle(c)})
	}

	status := tty.IsTerminal(os.Stderr)
	if status {
		opts.Progress = func(p pipeline.Progress) {
			secs := p.Elapsed.Seconds()
			fmt.Fprintf(os.Stderr, "\r\x1b[K%d packets  %.0f pkt/s  %.2f MB/s  %d dropped by kernel",
				p.Packets, float64(p.Packets)/secs, float64(p.Bytes)/secs/1e6, p.Dropped)
		}
	}

	opts.OnStart = func(ring bool) {
		how := "TPACKET_V3 ring"
		switch {
		case runtime.GOOS == "windows":
			how = "Npcap"
		case !ring:
			how = "plain packet socket"
		}
		fmt.Fprintf(os.Stderr, "wirebom: listening on %s (%s), link-type %s (%s), snapshot length %d bytes\n",
			opts.Interface, how, linkType, linkType.Description(), cfg.Snaplen)
	}
	res, capErr := pipeline.CaptureLive(ctx, opts, live)
	if status {
		fmt.Fprint(os.Stderr, "\r\x1b[K")
	}
	if capErr != nil && res.Stats == (rawsock.Stats{}) && res.Packets == 0 {
		if created {
			os.Remove(outFile.Name())
		}
		return openError(iface, capErr)
	}
	if writer != nil {
		if err := writer.Close(&res.Stats); err != nil && capErr == nil {
			capErr = fmt.Errorf("writing %s: %w", c.String("write"), err)
		}
	}
	if errors.Is(capErr, rotate.ErrDone) {
		// -G with -W: the capture ends, as planned, once its files are made.
		fmt.Fprintf(os.Stderr, "wirebom: %d files made, as -W %d asks", plan.Files, plan.Files)
		if n := writer.Packets() - writer.PacketsWritten(); n > 0 {
			fmt.Fprintf(os.Stderr, "; the %d packets read after them are not written", n)
		}
		fmt.Fprintln(os.Stderr)
		capErr = nil
	}
	fmt.Fprintf(os.Stderr, "%d packets captured\n%d packets received by filter\n%d packets dropped by kernel\n",
		res.Packets, res.Stats.Received, res.Stats.Dropped)
	if res.Stats.CorruptBlocks > 0 {
		fmt.Fprintf(os.Stderr, "%d times the capture source handed over data that was out of range and was skipped (counted, never followed)\n", res.Stats.CorruptBlocks)
	}
	if res.SinkMissed > 0 {
		fmt.Fprintf(os.Stderr, "%d packets read but not written (the capture ended while they were queued)\n", res.SinkMissed)
	}
	if decoding != nil {
		if len(res.ProcessorMissed) > 0 && res.ProcessorMissed[0] > 0 {
			fmt.Fprintf(os.Stderr, "%d packets not decoded (the decoder fell behind, or gave way to capture when CPU was short)\n", res.ProcessorMissed[0])
		}
		var parts []string
		decoding.EachProtocol(func(p string, n uint64) { parts = append(parts, fmt.Sprintf("%s %d", p, n)) })
		fmt.Fprintf(os.Stderr, "protocols: %s; %d decode errors\n", strings.Join(parts, ", "), decoding.Errors())
	}
	if capErr != nil && writer != nil {
		where := c.String("write")
		if plan.Active() {
			where = "the files of " + where // -C or -G: spread over several
		}
		fmt.Fprintf(os.Stderr, "%d packets are in %s, each complete\n", writer.PacketsWritten(), where)
	}
	if capErr != nil {
		return cli.Exit("wirebom capture: "+capErr.Error(), 1)
	}
	return nil
}

// openError turns a failure to start capturing into a message that names
// the fix, with exit code 2.
func openError(iface string, err error) error {
	switch {
	case errors.Is(err, rawsock.ErrPermission):
		exe, _ := os.Executable()
		if exe == "" {
			exe = "wirebom"
		}
		hint := rawsock.PermissionHint + exe
		if runtime.GOOS == "windows" {
			hint = rawsock.NpcapPermissionHint
		}
		return cli.Exit(fmt.Sprintf("wirebom capture: %s: you do not have permission to capture on that device (%v)\n%s",
			iface, err, hint), exitUsage)
	}
	return cli.Exit("wirebom capture: "+strings.TrimPrefix(err.Error(), "rawsock: "), exitUsage)
}

// interfaceByIndex returns the name of the interface whose index is name,
// when name is a number and no interface has that name: -i 2 captures on
// interface 2 of 'wirebom ifaces' or -D, as tcpdump -i takes its -D numbers,
// and on Linux -i 0 on the any device.
func interfaceByIndex(name string) string {
	n, err := strconv.Atoi(name)
	if err != nil || n < 0 {
		return name
	}
	if n == 0 && runtime.GOOS == "linux" {
		return rawsock.AnyInterface
	}
	if _, err := net.InterfaceByName(name); err == nil {
		return name
	}
	if ifi, err := net.InterfaceByIndex(n); err == nil {
		return ifi.Name
	}
	return name
}

// listInterfaces prints the interfaces as tcpdump -D does: index, name and
// state, one per line, and on Linux the any device (index 0).
func listInterfaces(w io.Writer) error {
	list, err := rawsock.Interfaces()
	if err != nil {
		return cli.Exit("wirebom capture: "+err.Error(), 1)
	}
	for _, it := range list {
		var f []string
		for _, x := range []struct {
			on   bool
			name string
		}{{it.Up, "Up"}, {it.Running, "Running"}, {it.Loopback, "Loopback"}} {
			if x.on {
				f = append(f, x.name)
			}
		}
		fmt.Fprintf(w, "%d.%s [%s]\n", it.Index, it.Name, strings.Join(f, ", "))
	}
	if runtime.GOOS == "linux" {
		fmt.Fprintf(w, "0.%s (Pseudo-device that captures on all interfaces) [Up, Running]\n", rawsock.AnyInterface)
	}
	return nil
}

// parseFileSize reads -C: a plain number is millions of bytes, as for
// tcpdump -C; a number with a unit is a byte size (see parseSize).
func parseFileSize(s string) (int64, error) {
	if n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
		const most = 1 << 40 / 1_000_000 // 1 TiB
		if n <= 0 || n > most {
			return 0, fmt.Errorf("%q: use 1 to %d (millions of bytes), or a size with a unit such as 100MiB", s, most)
		}
		return n * 1e6, nil
	}
	n, err := parseSize(s)
	return int64(n), err
}

// parseSize reads a byte size such as 1048576, 512K, 64M, 64MiB or 1GiB
// (K, M and G are powers of 1024, as for tcpdump -B).
func parseSize(s string) (int, error) {
	t := strings.TrimSpace(strings.ToUpper(s))
	t = strings.TrimSuffix(strings.TrimSuffix(t, "B"), "I")
	mult := 1
	switch {
	case strings.HasSuffix(t, "K"):
		mult, t = 1<<10, t[:len(t)-1]
	case strings.HasSuffix(t, "M"):
		mult, t = 1<<20, t[:len(t)-1]
	case strings.HasSuffix(t, "G"):
		mult, t = 1<<30, t[:len(t)-1]
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 || n > int64(math.MaxInt)/int64(mult) {
		return 0, fmt.Errorf("%q is not a size: use bytes or a number with K, M or G (e.g. 64M)", s)
	}
	return int(n) * mult, nil
}

// linePrinter prints one tcpdump -e style line per frame.
type linePrinter struct {
	w     *bufio.Writer
	lt    rawsock.LinkType
	dump  *hexdump.Style // -x and friends, or nil
	buf   []byte
	names map[int]string // interface names by index, for -i any
}

// interfaceName returns the name of interface index i, or "if i" if it has
// none (it went away before its first frame was printed). Names are looked
// up once.
func (p *linePrinter) interfaceName(i int) string {
	if name, ok := p.names[i]; ok {
		return name
	}
	name := fmt.Sprintf("if %d", i)
	if ifi, err := net.InterfaceByIndex(i); err == nil {
		name = ifi.Name
	}
	if p.names == nil {
		p.names = map[int]string{}
	}
	p.names[i] = name
	return name
}

func (p *linePrinter) WriteFrame(f *rawsock.Frame) error {
	var line string
	switch p.lt {
	case rawsock.LinkTypeRaw:
		line = ipSummary(f, f.Data, "")
	case rawsock.LinkTypeNull:
		line = nullSummary(f)
	case rawsock.LinkTypeLinuxSLL:
		line = cookedSummary(f, p.interfaceName(f.InterfaceIndex))
	default:
		line = frameSummary(f)
	}
	if _, err := p.w.WriteString(line); err != nil || p.dump == nil {
		return err
	}
	p.buf = appendDump(p.buf[:0], p.dump, uint32(p.lt), f.Data)
	_, err := p.w.Write(p.buf)
	return err
}

// ipSummary is the one-line form of a frame without MAC addresses: time,
// what precedes the packet (prefix), IP version, addresses, protocol and
// length.
func ipSummary(f *rawsock.Frame, d []byte, prefix string) string {
	var b strings.Builder
	b.WriteString(f.Timestamp.Format("15:04:05.000000000"))
	b.WriteString(prefix)
	switch {
	case len(d) >= 20 && d[0]>>4 == 4:
		fmt.Fprintf(&b, " IP %d.%d.%d.%d > %d.%d.%d.%d, proto %d", d[12], d[13], d[14], d[15], d[16], d[17], d[18], d[19], d[9])
	case len(d) >= 40 && d[0]>>4 == 6:
		fmt.Fprintf(&b, " IP6 %s > %s, next-header %d", net.IP(d[8:24]), net.IP(d[24:40]), d[6])
	case len(d) == 0:
		b.WriteString(" empty packet")
	default:
		fmt.Fprintf(&b, " truncated or non-IP packet (version %d)", d[0]>>4)
	}
	fmt.Fprintf(&b, ", length %d\n", f.Length)
	return b.String()
}

// nullSummary prints a BSD loopback frame: the 4-byte address family in
// the capturing host's byte order (little endian on Windows), then IP.
func nullSummary(f *rawsock.Frame) string {
	if len(f.Data) < 4 {
		return f.Timestamp.Format("15:04:05.000000000") + fmt.Sprintf(" truncated frame, length %d\n", f.Length)
	}
	af := binary.LittleEndian.Uint32(f.Data)
	return ipSummary(f, f.Data[4:], fmt.Sprintf(" AF %d", af))
}

func (p *linePrinter) Flush() error { return p.w.Flush() }

// frameSummary is the one-line form: time, MACs, VLAN, EtherType, length.
func frameSummary(f *rawsock.Frame) string {
	var b strings.Builder
	if !lineStart(&b, f, 14) {
		return b.String()
	}
	d := f.Data
	fmt.Fprintf(&b, " %s > %s", mac(d[6:12]), mac(d[0:6]))
	return typeSummary(&b, f, d, 12)
}

// cookedSummary is the one-line form of a Linux cooked frame (-i any), as
// tcpdump prints them: time, the interface's name, direction in tcpdump's
// words, the sender's link-layer address, VLAN, protocol, length.
func cookedSummary(f *rawsock.Frame, iface string) string {
	var b strings.Builder
	if !lineStart(&b, f, 16) {
		return b.String()
	}
	d := f.Data
	b.WriteString(" " + iface)
	dir := [...]string{"In", "B", "M", "P", "Out"}
	if t := int(d[0])<<8 | int(d[1]); t < len(dir) {
		b.WriteString(" " + dir[t])
	} else {
		fmt.Fprintf(&b, " packet type %d", t)
	}
	if n := int(d[4])<<8 | int(d[5]); n > 0 {
		b.WriteString(" " + mac(d[6:6+min(n, 8)]))
	}
	return typeSummary(&b, f, d, 14)
}

// lineStart begins a frame's line with its time. A frame shorter than its
// link header (min bytes) gets the whole line here, and false.
func lineStart(b *strings.Builder, f *rawsock.Frame, min int) bool {
	b.WriteString(f.Timestamp.Format("15:04:05.000000000"))
	if len(f.Data) < min {
		fmt.Fprintf(b, " truncated frame, length %d\n", f.Length)
		return false
	}
	return true
}

// typeSummary ends a frame's line: its VLAN tags and EtherType, from
// offset off of d, and its length.
func typeSummary(b *strings.Builder, f *rawsock.Frame, d []byte, off int) string {
	for len(d) >= off+4 {
		et := uint16(d[off])<<8 | uint16(d[off+1])
		if et != 0x8100 && et != 0x88a8 {
			break
		}
		tci := uint16(d[off+2])<<8 | uint16(d[off+3])
		fmt.Fprintf(b, ", vlan %d, p %d", tci&0xfff, tci>>13)
		off += 4
	}
	if len(d) >= off+2 {
		et := uint16(d[off])<<8 | uint16(d[off+1])
		if name := etherTypeName(et); name != "" {
			fmt.Fprintf(b, ", ethertype %s (0x%04x)", name, et)
		} else if et < 0x0600 {
			fmt.Fprintf(b, ", 802.3 length %d", et)
		} else {
			fmt.Fprintf(b, ", ethertype 0x%04x", et)
		}
	}
	fmt.Fprintf(b, ", length %d\n", f.Length)
	return b.String()
}

func mac(b []byte) string {
	const hexdig = "0123456789abcdef"
	out := make([]byte, 0, 17)
	for i, x := range b {
		if i > 0 {
			out = append(out, ':')
		}
		out = append(out, hexdig[x>>4], hexdig[x&15])
	}
	return string(out)
}

func etherTypeName(et uint16) string {
	switch et {
	case 0x0800:
		return "IPv4"
	case 0x0806:
		return "ARP"
	case 0x86dd:
		return "IPv6"
	case 0x88cc:
		return "LLDP"
	case 0x8892:
		return "PROFINET"
	case 0x88b8:
		return "GOOSE"
	case 0x88ba:
		return "SV"
	case 0x8847:
		return "MPLS unicast"
	case 0x88e5:
		return "MACsec"
	case 0x888e:
		return "EAPOL"
	case 0x88f7:
		return "PTP"
	}
	return ""
}

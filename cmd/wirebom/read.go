package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"github.com/urfave/cli/v2"

	"github.com/wirebom/wirebom/internal/hexdump"
	"github.com/wirebom/wirebom/parse"
	"github.com/wirebom/wirebom/rawsock/filter"
)

func init() {
	register(&cli.Command{
		Name:      "read",
		Usage:     "decode a pcap or pcapng file, like tcpdump -r (with the industrial layer)",
		ArgsUsage: "[filter expression...]",
		Description: "Prints one line per packet (tcpdump-like, including the OT protocol), or one JSON\n" +
			"object per packet with --json, or the protocol hierarchy with --stats (like\n" +
			"tshark -q -z io,phs). A trailing pcap-filter expression selects packets, as in\n" +
			"tcpdump; -w writes the selected packets to a pcap (pcapng for *.pcapng) file\n" +
			"(and, as in tcpdump, prints nothing unless --print is given).",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "r", Usage: "read packets from `FILE` (- for standard input)"},
			&cli.StringFlag{Name: "w", Usage: "write the selected packets to `FILE` (pcap, or pcapng if it ends in .pcapng)"},
			&cli.BoolFlag{Name: "json", Usage: "print one JSON object per packet (the tshark oracle's field names)"},
			&cli.BoolFlag{Name: "stats", Usage: "print only the protocol hierarchy (packets and bytes per protocol path)"},
			&cli.IntFlag{Name: "c", Usage: "stop after `COUNT` selected packets"},
			&cli.BoolFlag{Name: "n", Usage: "do not resolve names (the default: wirebom never resolves)"},
			&cli.BoolFlag{Name: "e", Usage: "print MAC addresses of IP packets too"},
			&cli.BoolFlag{Name: "q", Usage: "print nothing per packet"},
			&cli.BoolFlag{Name: "print", Usage: "with -w, print the packets too (as tcpdump --print)"},
			&cli.BoolFlag{Name: "d", Usage: "print the compiled filter as BPF instructions and exit"},
			&cli.BoolFlag{Name: "dd", Usage: "print the compiled filter as C array initialisers and exit"},
			&cli.BoolFlag{Name: "ddd", Usage: "print the compiled filter as decimal numbers and exit"},
			&cli.BoolFlag{Name: "utc", Usage: "print timestamps in UTC"},
		}, tcpdumpFlags()...),
		Action: runRead,
	})
}

// readOptions are the parsed flags of `wirebom read`.
type readOptions struct {
	in, out        string
	json, stats, q bool
	count          int
	link, utc      bool
	dump           filter.DumpStyle // -d, -dd, -ddd; -1: run
	hex            *hexdump.Style   // -x, -xx, -X, -XX, or nil
	expr           string
}

func runRead(c *cli.Context) error {
	o := readOptions{
		in: c.String("r"), out: c.String("w"), json: c.Bool("json"), stats: c.Bool("stats"),
		q: c.Bool("q"), count: c.Int("c"), link: c.Bool("e"), utc: c.Bool("utc"),
		dump: -1, hex: dumpStyle(c),
	}
	var err error
	if o.expr, err = filterExpression(c, "read"); err != nil {
		return err
	}
	switch {
	case c.Bool("ddd"):
		o.dump = filter.DumpDecimal
	case c.Bool("dd"):
		o.dump = filter.DumpC
	case c.Bool("d"):
		o.dump = filter.DumpReadable
	}
	if o.out != "" && !c.Bool("print") {
		o.q = true // like tcpdump: -w writes, --print also prints
	}
	if o.count < 0 {
		return usageError("wirebom read: -c must not be negative")
	}
	if o.json && o.stats {
		return usageError("wirebom read: --json and --stats are exclusive")
	}
	if o.in == "" {
		if o.dump >= 0 { // like tcpdump -d with no file: the program for Ethernet
			fmt.Fprintln(orStderr(c.App.ErrWriter), "wirebom read: no -r FILE: assuming Ethernet")
			return dumpFilter(o, filter.Options{}, c.App.Writer)
		}
		return usageError("%s", missingInput(c.Args().Slice()))
	}
	return readFile(o, c.App.Writer, c.App.ErrWriter)
}

// missingInput is the error for a read with no -r: it names the flag, and
// the argument the user most likely meant as the file.
func missingInput(args []string) string {
	msg := "wirebom read: name the file to read with -r FILE (- for standard input)"
	if len(args) > 0 {
		if st, err := os.Stat(args[0]); err == nil && st.Mode().IsRegular() {
			msg += fmt.Sprintf("; to read %s: wirebom read -r %s", args[0], args[0])
		}
	}
	return msg
}

// dumpFilter prints the program o.expr compiles to for opts in o.dump's style.
func dumpFilter(o readOptions, opts filter.Options, stdout io.Writer) error {
	prog, err := filter.Compile(o.expr, opts)
	if err != nil {
		return usageError("wirebom read: filter %q: %v", o.expr, err)
	}
	if err := prog.Dump(stdout, o.dump); err != nil {
		return fmt.Errorf("wirebom read: %w", err)
	}
	return nil
}

// countingReader counts the bytes read through it, for the progress bar.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// orStderr is w, or os.Stderr when w is nil (an App's ErrWriter left unset).
func orStderr(w io.Writer) io.Writer {
	if w == nil {
		return os.Stderr
	}
	return w
}

func readFile(o readOptions, stdout, stderr io.Writer) error {
	stderr = orStderr(stderr)
	name := o.in
	var f *os.File
	if o.in == "-" {
		f, name = os.Stdin, "<stdin>"
	} else {
		var err error
		if f, err = os.Open(o.in); err != nil {
			return usageError("wirebom read: %v", err)
		}
		defer f.Close()
	}
	cr := &countingReader{r: f}
	capr, err := parse.OpenCapture(cr)
	if err != nil {
		return usageError("wirebom read: %s: %v", name, err)
	}
	lt := capr.LinkType()
	switch lt {
	case parse.LinkTypeEthernet, parse.LinkTypeLinuxSLL, parse.LinkTypeRaw, parse.LinkTypeNull:
	default:
		return usageError("wirebom read: %s: link type %d (%s) is not supported: Ethernet, Linux cooked (SLL), Raw IP and BSD loopback (NULL) are", name, uint16(lt), lt)
	}

	opts := filter.Options{LinkType: filter.FromPcap(uint32(lt)), Snaplen: capr.Snaplen()}
	if o.dump >= 0 {
		return dumpFilter(o, opts, stdout)
	}
	var match *filter.Matcher
	if o.expr != "" {
		prog, err := filter.Compile(o.expr, opts)
		if err != nil {
			return usageError("wirebom read: filter %q: %v", o.expr, err)
		}
		if match, err = filter.NewMatcher(prog); err != nil {
			return usageError("wirebom read: filter %q: %v", o.expr, err)
		}
	}

	out := bufio.NewWriterSize(stdout, 1<<16)
	defer out.Flush()

	var sink packetSink
	if o.out != "" {
		if sink, err = createSink(o.out, lt, capr.Snaplen()); err != nil {
			return usageError("wirebom read: %v", err)
		}
	}

	// A progress bar would garble packet lines printed to the same terminal.
	stop := func() {}
	if o.stats || o.q || !isTerminalWriter(stdout) {
		stop = startProgress(f, cr, stderr)
	}
	defer stop()

	dec := parse.NewDecoder()
	var hier *parse.Hierarchy
	if o.stats {
		hier = parse.NewHierarchy()
	}
	var enc parse.JSONEncoder
	sumOpts := parse.SummaryOptions{Link: o.link, UTC: o.utc}
	var line []byte
	n, selected := 0, 0
	var readErr error
	for o.count == 0 || selected < o.count {
		data, ci, plt, err := capr.ReadPacket()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				readErr = err
			}
			break
		}
		n++
		if match != nil && !match.MatchLen(data, ci.Length) {
			continue
		}
		selected++
		if sink != nil {
			if err := sink.WritePacket(ci, data); err != nil {
				stop()
				return fmt.Errorf("wirebom read: writing %s: %w", o.out, err)
			}
		}
		if o.q && !o.stats {
			continue
		}
		p, derr := dec.DecodeCapture(ci, data, plt)
		switch {
		case o.stats:
			hier.Add(p)
		case o.json:
			line = enc.AppendPacket(line[:0], n, p, derr)
			out.Write(line)
		default:
			line = parse.AppendSummary(line[:0], p, derr, sumOpts)
			line = append(line, '\n')
			line = appendDump(line, o.hex, uint32(plt), data)
			out.Write(line)
		}
	}
	stop()
	if hier != nil {
		if err := hier.WriteText(out); err != nil {
			return err
		}
	}
	if sink != nil {
		if err := sink.Close(); err != nil {
			return fmt.Errorf("wirebom read: writing %s: %w", o.out, err)
		}
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("wirebom read: writing output: %w", err)
	}
	if readErr != nil {
		return cli.Exit(fmt.Sprintf("wirebom read: %s: %v", name, readErr), exitUsage)
	}
	return nil
}

// packetSink is a pcap or pcapng writer.
type packetSink interface {
	WritePacket(ci gopacket.CaptureInfo, data []byte) error
	Close() error
}

type pcapSink struct {
	f  *os.File
	bw *bufio.Writer
	w  *pcapgo.Writer
}

func (s *pcapSink) WritePacket(ci gopacket.CaptureInfo, data []byte) error {
	return s.w.WritePacket(ci, data)
}

func (s *pcapSink) Close() error {
	err := s.bw.Flush()
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	return err
}

type ngSink struct {
	f *os.File
	w *pcapgo.NgWriter
}

func (s *ngSink) WritePacket(ci gopacket.CaptureInfo, data []byte) error {
	ci.InterfaceIndex = 0
	return s.w.WritePacket(ci, data)
}

func (s *ngSink) Close() error {
	err := s.w.Flush()
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// createSink creates path as pcap (nanosecond timestamps) or, for a
// .pcapng extension, pcapng.
func createSink(path string, lt layers.LinkType, snaplen uint32) (packetSink, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if strings.EqualFold(filepath.Ext(path), ".pcapng") {
		w, err := pcapgo.NewNgWriter(f, lt)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return &ngSink{f: f, w: w}, nil
	}
	bw := bufio.NewWriterSize(f, 1<<16)
	w := pcapgo.NewWriterNanos(bw)
	if err := w.WriteFileHeader(snaplen, lt); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &pcapSink{f: f, bw: bw, w: w}, nil
}

// progressMin is the file size from which a progress bar is shown.
const progressMin = 32 << 20

// startProgress shows a progress bar on stderr while a large regular file
// is read, when stderr is a terminal. The returned function stops it and
// clears the line; it may be called more than once.
func startProgress(f *os.File, cr *countingReader, stderr io.Writer) func() {
	errFile, ok := stderr.(*os.File)
	if !ok || !isTerminal(errFile) {
		return func() {}
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() < progressMin {
		return func() {}
	}
	size := fi.Size()
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		start := time.Now()
		for {
			select {
			case <-done:
				fmt.Fprint(stderr, "\r\033[K")
				return
			case <-t.C:
				n := cr.n.Load()
				frac := float64(n) / float64(size)
				const width = 30
				bar := strings.Repeat("#", int(frac*width)) + strings.Repeat(".", width-int(frac*width))
				mbps := float64(n) / (1 << 20) / time.Since(start).Seconds()
				fmt.Fprintf(stderr, "\r[%s] %3.0f%% %d/%d MiB %.0f MiB/s", bar, 100*frac, n>>20, size>>20, mbps)
			}
		}
	}()
	var stopped atomic.Bool
	return func() {
		if stopped.CompareAndSwap(false, true) {
			close(done)
			<-finished
		}
	}
}

// isTerminalWriter reports whether w is a terminal.
func isTerminalWriter(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isTerminal(f)
}

// isTerminal reports whether f is a character device (a terminal).
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

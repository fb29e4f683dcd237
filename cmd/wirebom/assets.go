package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/urfave/cli/v2"

	"github.com/wirebom/wirebom/parse"
	"github.com/wirebom/wirebom/parse/asset"
	"github.com/wirebom/wirebom/parse/asset/observe"
	"github.com/wirebom/wirebom/rawsock"
)

func init() {
	register(&cli.Command{
		Name:  "assets",
		Usage: "list the devices seen in captures or on a live interface (passive asset discovery)",
		Description: "Folds every packet into a table of devices keyed by MAC address: IEEE vendor, IPs,\n" +
			"names (Profinet NameOfStation, LLDP, CDP, DHCP, DNS), identity (vendor/device IDs,\n" +
			"product names, order numbers, firmware, serials), roles and protocols, VLANs, first\n" +
			"and last seen, packets. Devices claiming the same IP (by ARP, DCP, DHCP...) or the\n" +
			"same NameOfStation are listed as conflicts: spoofing looks like that.\n" +
			"Nothing is ever sent: discovery is passive.",
		ArgsUsage: " ",
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "r", Usage: "read packets from `FILE` (pcap or pcapng; repeat for several files, - for standard input)"},
			&cli.StringFlag{Name: "i", Usage: "capture live on `IFACE`"},
			&cli.DurationFlag{Name: "duration", Usage: "with -i: stop after `D` (e.g. 10m; default: until interrupted)"},
			&cli.BoolFlag{Name: "p", Usage: "with -i: do not put the interface into promiscuous mode"},
			&cli.BoolFlag{Name: "json", Usage: "write the table as JSON (schema wirebom.assets/v1)"},
			&cli.BoolFlag{Name: "csv", Usage: "write the table as CSV (RFC 4180, formula-safe)"},
		},
		Action: runAssets,
	})
}

func runAssets(c *cli.Context) error {
	files := c.StringSlice("r")
	iface := c.String("i")
	switch {
	case c.NArg() > 0:
		return usageError("wirebom assets: unexpected arguments %q (filters are not supported here)", c.Args().Slice())
	case len(files) == 0 && iface == "":
		return usageError("wirebom assets: give -r FILE or -i IFACE")
	case len(files) > 0 && iface != "":
		return usageError("wirebom assets: -r and -i are exclusive")
	case c.Bool("json") && c.Bool("csv"):
		return usageError("wirebom assets: --json and --csv are exclusive")
	case c.IsSet("duration") && iface == "":
		return usageError("wirebom assets: --duration needs -i")
	case c.Duration("duration") < 0:
		return usageError("wirebom assets: --duration must not be negative")
	}
	tb := asset.NewTable()
	f := newAssetFolder(tb)
	if iface != "" {
		if err := f.live(iface, c.Duration("duration"), c.Bool("p"), c.App.ErrWriter); err != nil {
			return err
		}
	} else {
		for _, name := range files {
			if err := f.file(name); err != nil {
				return err
			}
		}
	}
	w := c.App.Writer
	if w == nil {
		w = os.Stdout
	}
	out := bufio.NewWriterSize(w, 1<<16)
	r := tb.Report()
	var err error
	switch {
	case c.Bool("json"):
		err = asset.WriteJSON(out, r)
	case c.Bool("csv"):
		err = asset.WriteCSV(out, r)
	default:
		err = asset.WriteText(out, r)
	}
	if err == nil {
		err = out.Flush()
	}
	if err != nil {
		return fmt.Errorf("wirebom assets: %w", err)
	}
	return nil
}

// assetFolder decodes frames and folds what they say into a table.
type assetFolder struct {
	tb  *asset.Table
	dec *parse.Decoder
	pr  *observe.Producer
}

func newAssetFolder(tb *asset.Table) *assetFolder {
	return &assetFolder{tb: tb, dec: parse.NewDecoder(), pr: observe.New()}
}

func (f *assetFolder) frame(ci gopacket.CaptureInfo, data []byte, lt parse.LinkType) {
	// A frame that fails to decode still has its valid outer layers.
	p, _ := f.dec.DecodeCapture(ci, data, lt)
	f.pr.Fold(f.tb, p)
}

func (f *assetFolder) file(name string) error {
	var in io.Reader
	if name == "-" {
		in, name = os.Stdin, "<stdin>"
	} else {
		fh, err := os.Open(name)
		if err != nil {
			return usageError("wirebom assets: %v", err)
		}
		defer fh.Close()
		in = fh
	}
	cr, err := parse.OpenCapture(in)
	if err != nil {
		return usageError("wirebom assets: %s: %v", name, err)
	}
	for {
		data, ci, lt, err := cr.ReadPacket()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			// Keep what was read; a truncated file is common after a crash.
			fmt.Fprintf(os.Stderr, "wirebom assets: %s: %v (table has the packets before it)\n", name, err)
			return nil
		}
		switch lt {
		case parse.LinkTypeEthernet, parse.LinkTypeLinuxSLL, parse.LinkTypeRaw, parse.LinkTypeNull:
		default:
			return usageError("wirebom assets: %s: link type %d is not supported: Ethernet, Linux cooked (SLL), raw IP and BSD loopback (NULL) are", name, uint16(lt))
		}
		f.frame(ci, data, lt)
	}
}

// live captures on iface until d elapses (0: until SIGINT/SIGTERM).
func (f *assetFolder) live(iface string, d time.Duration, noPromisc bool, stderr io.Writer) error {
	stderr = orStderr(stderr)
	src, err := rawsock.Open(iface, rawsock.Config{NoPromisc: noPromisc})
	if err != nil {
		switch {
		case errors.Is(err, rawsock.ErrPermission):
			return usageError("wirebom assets: %v: %s%s", err, rawsock.PermissionHint, os.Args[0])
		case errors.Is(err, rawsock.ErrNoSuchInterface), errors.Is(err, rawsock.ErrInterfaceDown),
			errors.Is(err, rawsock.ErrNotSupported):
			return usageError("wirebom assets: %v", err)
		}
		return fmt.Errorf("wirebom assets: %w", err)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	done := make(chan struct{})
	go func() {
		var timer <-chan time.Time
		if d > 0 {
			timer = time.After(d)
		}
		select {
		case <-sig:
		case <-timer:
		case <-done:
		}
		src.Close()
	}()
	defer close(done)
	fmt.Fprintf(stderr, "wirebom assets: listening on %s (passive; Ctrl-C to stop)\n", iface)
	lt := parse.LinkType(src.LinkType())
	var b rawsock.Batch
	for {
		err := src.ReadBatch(&b)
		if err != nil {
			if errors.Is(err, rawsock.ErrClosed) {
				break
			}
			return fmt.Errorf("wirebom assets: %s: %w", iface, err)
		}
		for i := range b.Frames {
			fr := &b.Frames[i]
			ci := gopacket.CaptureInfo{Timestamp: fr.Timestamp, CaptureLength: fr.CaptureLength, Length: fr.Length, InterfaceIndex: fr.InterfaceIndex}
			f.frame(ci, fr.Data, lt)
		}
		b.Release()
	}
	if st, err := src.Stats(); err == nil {
		fmt.Fprintf(stderr, "wirebom assets: %d packets received by filter, %d dropped by kernel\n", st.Received, st.Dropped)
	}
	return nil
}

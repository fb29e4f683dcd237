package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/wirebom/wirebom/internal/hexdump"
)

// tcpdumpFlags are the tcpdump options that capture and read share for
// their output and filter: hex dumps, a filter from a file, and options
// accepted so that tcpdump command lines run unchanged.
func tcpdumpFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "x", Usage: "print each packet in hex after its line, from the network header (tcpdump -x)"},
		&cli.BoolFlag{Name: "xx", Usage: "the same, from the link-layer header (tcpdump -xx)"},
		&cli.BoolFlag{Name: "X", Usage: "print each packet in hex and ASCII after its line, from the network header (tcpdump -X)"},
		&cli.BoolFlag{Name: "XX", Usage: "the same, from the link-layer header (tcpdump -XX)"},
		&cli.StringFlag{Name: "F", Usage: "read the filter expression from `FILE` (an expression on the command line is then ignored, as by tcpdump)"},
		&cli.BoolFlag{Name: "nn", Usage: "do not resolve names or ports (wirebom never does; accepted for tcpdump compatibility)"},
		&cli.BoolFlag{Name: "l", Usage: "line-buffered output (wirebom writes its lines out after each batch of packets; accepted for tcpdump compatibility)"},
	}
}

// dumpStyle returns the hex dump that -x, -xx, -X or -XX ask for (the
// fullest one given), or nil.
func dumpStyle(c *cli.Context) *hexdump.Style {
	switch {
	case c.Bool("XX"):
		return &hexdump.Style{Link: true, ASCII: true}
	case c.Bool("X"):
		return &hexdump.Style{ASCII: true}
	case c.Bool("xx"):
		return &hexdump.Style{Link: true}
	case c.Bool("x"):
		return &hexdump.Style{}
	}
	return nil
}

// appendDump appends the hex dump of a frame of link type lt in style s
// (nothing for a nil s).
func appendDump(dst []byte, s *hexdump.Style, lt uint32, data []byte) []byte {
	if s == nil {
		return dst
	}
	if !s.Link {
		data = data[hexdump.LinkHeaderLen(lt, data):]
	}
	return hexdump.Append(dst, data, s.ASCII)
}

// filterExpression returns the filter: the contents of -F FILE, or the
// command line's arguments. cmd names the command in messages.
func filterExpression(c *cli.Context, cmd string) (string, error) {
	file := c.String("F")
	args := strings.Join(c.Args().Slice(), " ")
	if file == "" {
		return args, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", usageError("wirebom %s: -F: %v", cmd, err)
	}
	if args != "" {
		fmt.Fprintf(orStderr(c.App.ErrWriter), "wirebom %s: warning: the filter comes from %s; ignoring %q on the command line\n", cmd, file, args)
	}
	return strings.Join(strings.Fields(string(b)), " "), nil
}

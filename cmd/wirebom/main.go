// Command wirebom captures packets without libpcap, discovers the devices on
// an industrial network, and writes a Cyber Bill of Materials of a machine.
package main

import (
	"errors"
	"fmt"
	"os"
	"sort"

	"github.com/urfave/cli/v2"
)

// Exit codes, following tcpdump and diff(1).
const (
	exitOK    = 0
	exitDiff  = 1 // wirebom diff: the documents differ
	exitUsage = 2 // bad flags, bad input, missing privileges
)

// commands collects the subcommands; each lives in its own file and adds
// itself from an init function, so files can be added independently.
var commands []*cli.Command

// register adds a subcommand. A flag it cannot parse ends it with one line
// on stderr that names the command and where its help is, as tcpdump does,
// instead of urfave/cli's whole help page on stdout.
func register(c *cli.Command) {
	if c.OnUsageError == nil {
		c.OnUsageError = func(_ *cli.Context, err error, _ bool) error {
			return usageError("wirebom %s: %v (see 'wirebom %s --help')", c.Name, err, c.Name)
		}
	}
	commands = append(commands, c)
}

// usageError marks an error caused by the user's input (exit code 2).
func usageError(format string, args ...any) error {
	return cli.Exit(fmt.Sprintf(format, args...), exitUsage)
}

func newApp() *cli.App {
	sort.Slice(commands, func(i, j int) bool { return commands[i].Name < commands[j].Name })
	return &cli.App{
		Name:                 "wirebom",
		Usage:                "capture packets, discover OT devices, and inventory machines, offline",
		Version:              version,
		Commands:             commands,
		EnableBashCompletion: true,
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return cli.Exit("wirebom: "+err.Error(), exitUsage)
		},
	}
}

// version is set by the Makefile through -ldflags.
var version = "dev"

func main() {
	err := newApp().Run(os.Args)
	if err == nil {
		return
	}
	var ec cli.ExitCoder
	if errors.As(err, &ec) {
		if msg := ec.Error(); msg != "" {
			fmt.Fprintln(os.Stderr, msg)
		}
		os.Exit(ec.ExitCode())
	}
	fmt.Fprintln(os.Stderr, "wirebom:", err)
	os.Exit(exitUsage)
}

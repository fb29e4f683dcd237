package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/wirebom/wirebom/rawsock"
)

func init() {
	register(&cli.Command{
		Name:  "ifaces",
		Usage: "list network interfaces (no privileges needed)",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "one JSON array of interfaces"},
		},
		Action: func(c *cli.Context) error {
			list, err := rawsock.Interfaces()
			if err != nil {
				return cli.Exit("wirebom ifaces: "+err.Error(), 1)
			}
			if c.Bool("json") {
				enc := json.NewEncoder(os.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(list)
			}
			tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "INDEX\tNAME\tMAC\tMTU\tFLAGS\tSTATE\tDRIVER\tSPEED\tADDRESSES")
			for _, it := range list {
				speed := "-"
				if it.SpeedMbps > 0 {
					speed = fmt.Sprintf("%dMb/s", it.SpeedMbps)
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n", it.Index, it.Name, dash(it.MAC), it.MTU,
					flagString(it), dash(it.OperState), dash(it.Driver), speed, dash(strings.Join(it.Addrs, " ")))
			}
			return tw.Flush()
		},
	})
}

func flagString(it rawsock.Interface) string {
	var f []string
	for _, x := range []struct {
		on   bool
		name string
	}{{it.Up, "up"}, {it.Running, "running"}, {it.Promisc, "promisc"}, {it.Loopback, "loopback"}} {
		if x.on {
			f = append(f, x.name)
		}
	}
	return dash(strings.Join(f, ","))
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

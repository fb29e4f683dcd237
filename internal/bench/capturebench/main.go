//go:build linux

// Command capturebench drives `make bench-capture`: inside a veth pair in
// two network namespaces of its own, the generator (internal/bench/gen)
// sends at its maximum rate while one capture tool at a time writes what it
// sees to /dev/null (or, with -out DIR, to a file there, as a sensor that
// keeps what it captures does); the tools take turns (interleaved runs) and
// the medians are printed as a Markdown table. Each run also reads the CPU
// time the tool has used by the time it says it is listening, before the
// first frame is sent: its start-up cost, mostly the kernel zeroing its
// ring (a 64 MiB ring costs 0.02-0.12 s of system time on these VMs,
// depending on how long ago the memory was last used), which the last
// column subtracts, run by run, to give the cost per packet. Needs root,
// tcpdump and taskset.
//
// Modes: "default" leaves the receive softirq where the kernel puts it (on
// the sender's CPU for veth); "rps" steers it to the capture CPU with
// rps_cpus, as on a real sensor where the NIC's interrupts land on the
// capturing core. The generator is pinned to CPU 0, the capture to CPU 1.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/wirebom/wirebom/internal/netns"
)

// tail is how long a run waits after the traffic before stopping the tool:
// long enough for every tool's block timeout (tcpdump: 1 s) to hand over
// the last frames.
const tail = 1500 * time.Millisecond

type result struct {
	sent, delivered, received, captured, dropped uint64
	cpu                                          float64 // capture process user+system seconds
	startup                                      float64 // of which before the first frame was sent
}

func main() {
	runs := flag.Int("runs", 5, "interleaved runs per tool")
	packets := flag.Int("packets", 3000000, "frames sent per run")
	wirebom := flag.String("wirebom", "bin/wirebom", "wirebom binary")
	afpacket := flag.String("afpacket", "", "afpacketcap binary (built from internal/bench/afpacketcap)")
	gen := flag.String("gen", "bin/gen", "generator binary (built from internal/bench/gen)")
	modes := flag.String("modes", "default,rps", "modes to run")
	profiles := flag.String("profiles", "64,imix", "traffic profiles: 64 (64-byte UDP) and imix (64:7, 570:4, 1514:1)")
	variants := flag.String("variants", "wirebom=;wirebom --decode=--decode",
		"wirebom variants as NAME=EXTRA ARGS, separated by ';' (--decode: the whole pipeline, parse + write); "+
			"ARGS starting with @PATH run the wirebom binary at PATH (to compare builds)")
	peers := flag.Bool("peers", true, "also run tcpdump, tcpdump -B 65536 and afpacket")
	outDir := flag.String("out", "", "write the capture files into this directory (a file per run, removed after it; "+
		"it must be writable by tcpdump's unprivileged user, e.g. a tmpfs mounted 1777) instead of /dev/null")
	flag.Parse()
	out := "/dev/null"
	if *outDir != "" {
		out = filepath.Join(*outDir, "capturebench.pcap")
	}

	type tool struct {
		name string
		argv func(iface string) []string
	}
	var tools []tool
	for _, v := range strings.Split(*variants, ";") {
		name, args, _ := strings.Cut(v, "=")
		bin, extra := *wirebom, strings.Fields(args)
		if len(extra) > 0 && strings.HasPrefix(extra[0], "@") {
			bin, extra = extra[0][1:], extra[1:]
		}
		tools = append(tools, tool{name, func(i string) []string {
			return append([]string{bin, "capture", "-i", i, "-w", out}, extra...)
		}})
	}
	nvariants := len(tools)
	if !*peers {
		*afpacket = ""
	} else {
		tools = append(tools, []tool{
			{"tcpdump -w", func(i string) []string { return []string{"tcpdump", "-i", i, "-w", out} }},
			{"tcpdump -B 65536 -w", func(i string) []string { return []string{"tcpdump", "-B", "65536", "-i", i, "-w", out} }},
		}...)
	}
	if *afpacket != "" {
		tools = append(tools, tool{"gopacket afpacket", func(i string) []string { return []string{*afpacket, "-i", i, "-w", out} }})
	}

	p, err := netns.Create()
	if err != nil {
		fatal(err)
	}
	defer p.Remove()

	var rounds []string // the round-by-round table, printed after the medians
	fmt.Printf("| mode | traffic | tool | sent | delivered | captured | kernel drops | loss %% | CPU s | start-up CPU s | CPU s / Mpkt | CPU s / Mpkt net of start-up |\n")
	fmt.Printf("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, mode := range strings.Split(*modes, ",") {
		rps := "0"
		if mode == "rps" {
			rps = "2" // CPU 1, where the capture runs
		}
		if err := sh(p.NSA, fmt.Sprintf("echo %s > /sys/class/net/%s/queues/rx-0/rps_cpus", rps, p.LinkA)); err != nil {
			fatal(err)
		}
		for _, prof := range strings.Split(*profiles, ",") {
			all := make([][]result, len(tools))
			for r := 0; r < *runs; r++ {
				for ti, tool := range tools {
					res, err := measure(p, tool.argv(p.LinkA), *gen, prof, *packets)
					if *outDir != "" {
						os.Remove(out) // the next run starts with an empty directory
					}
					if err != nil {
						fatal(fmt.Errorf("%s, %s, %s: %w", mode, prof, tool.name, err))
					}
					all[ti] = append(all[ti], res)
					fmt.Fprintf(os.Stderr, "%s %s run %d %s: %+v\n", mode, prof, r+1, tool.name, res)
				}
			}
			for ti, tool := range tools {
				m := median(all[ti])
				loss := 0.0
				if m.delivered > 0 {
					loss = 100 * float64(m.delivered-min(m.captured, m.delivered)) / float64(m.delivered)
				}
				perM, net := 0.0, 0.0
				if m.captured > 0 {
					perM = m.cpu / (float64(m.captured) / 1e6)
					net = m.net
				}
				fmt.Printf("| %s | %s | %s | %d | %d | %d | %d | %.2f | %.2f | %.3f | %.3f | %.3f |\n",
					mode, prof, tool.name, m.sent, m.delivered, m.captured, m.dropped, loss, m.cpu, m.startup, perM, net)
			}
			// Each wirebom variant against the peer the targets name, run
			// by run: tools of one round ran seconds apart, while the
			// machine's speed drifts between rounds.
			peer := "tcpdump -w"
			if mode == "rps" {
				peer = "tcpdump -B 65536 -w"
			}
			if pi := slices.IndexFunc(tools, func(t tool) bool { return t.name == peer }); pi >= 0 {
				for ti := range tools[:nvariants] {
					rounds = append(rounds, fmt.Sprintf("| %s | %s | %s | %s | %s |",
						mode, prof, tools[ti].name, peer, roundRatios(all[ti], all[pi])))
				}
			}
		}
	}
	if len(rounds) > 0 {
		fmt.Printf("\nCPU per packet against the peer, round by round (whole run; net of start-up in brackets):\n\n")
		fmt.Printf("| mode | traffic | tool | against | ratio per round | median |\n|---|---|---|---|---|---:|\n")
		for _, r := range rounds {
			fmt.Println(r)
		}
	}
}

var (
	reCaptured = regexp.MustCompile(`(\d+) packets? captured`)
	reDropped  = regexp.MustCompile(`(\d+) packets? dropped by kernel`)
	reReceived = regexp.MustCompile(`(\d+) packets? received by filter`)
)

func measure(p *netns.Pair, argv []string, genBin, profile string, packets int) (result, error) {
	var res result
	rx0, err := counter(p.NSA, p.LinkA, "rx_packets")
	if err != nil {
		return res, err
	}
	tx0, err := counter(p.NSB, p.LinkB, "tx_packets")
	if err != nil {
		return res, err
	}
	cmd := exec.Command("ip", append([]string{"netns", "exec", p.NSA, "taskset", "-c", "1"}, argv...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return res, err
	}
	if err := cmd.Start(); err != nil {
		return res, err
	}
	var errText bytes.Buffer
	ready := make(chan bool, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stderr)
		said := false
		for sc.Scan() {
			errText.WriteString(sc.Text() + "\n")
			if !said && strings.Contains(sc.Text(), "listening on") {
				said = true
				ready <- true
			}
		}
		if !said {
			ready <- false
		}
	}()
	if !<-ready {
		<-done
		cmd.Wait()
		return res, fmt.Errorf("capture did not start: %s", errText.String())
	}
	// ip netns exec and taskset exec the tool: the PID is the tool's.
	res.startup, err = cpuSoFar(cmd.Process.Pid)
	if err != nil {
		cmd.Process.Kill()
		return res, err
	}
	if packets > 0 {
		gen := exec.Command("ip", "netns", "exec", p.NSB, "taskset", "-c", "0",
			genBin, "-i", p.LinkB, "-n", strconv.Itoa(packets), "-profile", profile)
		if out, err := gen.CombinedOutput(); err != nil {
			cmd.Process.Kill()
			return res, fmt.Errorf("generator: %v: %s", err, out)
		}
	}
	time.Sleep(tail)
	cmd.Process.Signal(syscall.SIGINT)
	<-done
	cmd.Wait()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		res.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
	}
	text := errText.String()
	if m := reCaptured.FindStringSubmatch(text); m != nil {
		res.captured, _ = strconv.ParseUint(m[1], 10, 64)
	} else {
		return res, fmt.Errorf("no capture count in: %s", text)
	}
	if m := reDropped.FindStringSubmatch(text); m != nil {
		res.dropped, _ = strconv.ParseUint(m[1], 10, 64)
	}
	if m := reReceived.FindStringSubmatch(text); m != nil {
		res.received, _ = strconv.ParseUint(m[1], 10, 64)
	}
	rx1, _ := counter(p.NSA, p.LinkA, "rx_packets")
	tx1, _ := counter(p.NSB, p.LinkB, "tx_packets")
	res.delivered, res.sent = rx1-rx0, tx1-tx0
	return res, nil
}

// cpuSoFar returns the CPU time in seconds that the threads of process pid
// have used so far, from the scheduler's nanosecond clock (the first field
// of /proc/PID/task/TID/schedstat), the same total rusage gives at exit.
func cpuSoFar(pid int) (float64, error) {
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	if err != nil || len(tasks) == 0 {
		return 0, fmt.Errorf("no threads of process %d in /proc: %v", pid, err)
	}
	var ns uint64
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			return 0, err
		}
		f := strings.Fields(string(b))
		if len(f) == 0 {
			return 0, fmt.Errorf("%s: empty", t)
		}
		v, err := strconv.ParseUint(f[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s: %v", t, err)
		}
		ns += v
	}
	return float64(ns) / 1e9, nil
}

func counter(ns, link, name string) (uint64, error) {
	out, err := netns.Command(ns, "cat", "/sys/class/net/"+link+"/statistics/"+name).Output()
	if err != nil {
		return 0, fmt.Errorf("reading %s of %s: %w", name, link, err)
	}
	return strconv.ParseUint(strings.TrimSpace(string(out)), 10, 64)
}

func sh(ns, script string) error {
	out, err := netns.Command(ns, "sh", "-c", script).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %v: %s", script, err, out)
	}
	return nil
}

// medianResult is the median of each column of a tool's runs; net is the
// median of the runs' CPU s per million frames net of their start-up.
type medianResult struct {
	result
	net float64
}

func median(rs []result) medianResult {
	pick := func(get func(result) float64) float64 {
		v := make([]float64, len(rs))
		for i, r := range rs {
			v[i] = get(r)
		}
		return middle(v)
	}
	return medianResult{result{
		sent:      uint64(pick(func(r result) float64 { return float64(r.sent) })),
		delivered: uint64(pick(func(r result) float64 { return float64(r.delivered) })),
		captured:  uint64(pick(func(r result) float64 { return float64(r.captured) })),
		dropped:   uint64(pick(func(r result) float64 { return float64(r.dropped) })),
		cpu:       pick(func(r result) float64 { return r.cpu }),
		startup:   pick(func(r result) float64 { return r.startup }),
	}, pick(func(r result) float64 { return r.perPacket(true) * 1e6 })}
}

// perPacket is the run's CPU seconds per captured packet, leaving out its
// start-up when net is set.
func (r result) perPacket(net bool) float64 {
	cpu := r.cpu
	if net {
		cpu -= r.startup
	}
	return cpu / max(1, float64(r.captured))
}

// roundRatios gives a tool's CPU per captured packet over its peer's, for
// each round (whole run, and net of start-up in brackets), and their
// medians.
func roundRatios(tool, peer []result) string {
	var parts []string
	var whole, net []float64
	for i := range min(len(tool), len(peer)) {
		w := tool[i].perPacket(false) / peer[i].perPacket(false)
		n := tool[i].perPacket(true) / peer[i].perPacket(true)
		whole, net = append(whole, w), append(net, n)
		parts = append(parts, fmt.Sprintf("%.2f (%.2f)", w, n))
	}
	if len(whole) == 0 {
		return "— | —"
	}
	return strings.Join(parts, ", ") + fmt.Sprintf(" | %.2f (%.2f)", middle(whole), middle(net))
}

// middle sorts v and returns its median (the upper one of an even count).
func middle(v []float64) float64 {
	slices.Sort(v)
	return v[len(v)/2]
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "capturebench:", err)
	os.Exit(1)
}

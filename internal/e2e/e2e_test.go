//go:build linux

// Package e2e runs the wirebom binary the way users do: as root and as an
// unprivileged user, inside network namespaces made by internal/netns, with
// tshark checking what it writes.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wirebom/wirebom/internal/netns"
)

// binary is the wirebom executable built once for the package's tests, in a
// directory every user can read (for the unprivileged tests); gen is the
// benchmark traffic generator (internal/bench/gen).
var binary, gen string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "wirebom-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Chmod(dir, 0o755) //nolint:errcheck // checked by the tests that need it
	binary = filepath.Join(dir, "wirebom")
	gen = filepath.Join(dir, "gen")
	for bin, pkg := range map[string]string{binary: "cmd/wirebom", gen: "internal/bench/gen"} {
		build := exec.Command("go", "build", "-trimpath", "-o", bin, "github.com/wirebom/wirebom/"+pkg)
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "building %s: %v\n%s", pkg, err, out)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// capture is a running `wirebom capture` inside a namespace.
type capture struct {
	cmd    *exec.Cmd
	stdout io.ReadCloser
	stderr *bytes.Buffer
	done   chan error
}

// startCapture runs wirebom capture in namespace ns with args, and returns
// once it says it is listening (so nothing sent afterwards is missed).
func startCapture(t *testing.T, ns string, prefix []string, args ...string) *capture {
	t.Helper()
	all := append(append([]string{"netns", "exec", ns}, prefix...), append([]string{binary, "capture"}, args...)...)
	cmd := exec.Command("ip", all...)
	c := &capture{cmd: cmd, stderr: &bytes.Buffer{}, done: make(chan error, 1)}
	var err error
	if c.stdout, err = cmd.StdoutPipe(); err != nil {
		t.Fatal(err)
	}
	errPipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
		}
	})
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(errPipe)
		said := false
		for sc.Scan() {
			line := sc.Text()
			c.stderr.WriteString(line + "\n")
			if !said && strings.Contains(line, "listening on") {
				said = true
				ready <- true
			}
		}
		if !said {
			ready <- false
		}
		c.done <- nil
	}()
	if !<-ready {
		<-c.done
		cmd.Wait()
		t.Fatalf("wirebom capture did not start: %s", c.stderr)
	}
	return c
}

// wait waits for the process and returns its exit code and stderr.
func (c *capture) wait(t *testing.T) (int, string) {
	t.Helper()
	code, stderr, err := c.result()
	if err != nil {
		t.Fatal(err)
	}
	return code, stderr
}

// result waits for the process and returns its exit code and stderr, or
// why it could not be waited for; unlike wait, it may run on any goroutine.
func (c *capture) result() (int, string, error) {
	io.Copy(io.Discard, c.stdout) //nolint:errcheck
	<-c.done
	err := c.cmd.Wait()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), c.stderr.String(), nil
	}
	return 0, c.stderr.String(), err
}

func inject(t *testing.T, p *netns.Pair, from, n uint32) {
	t.Helper()
	inj, err := netns.NewInjector(p.NSB, p.LinkB)
	if err != nil {
		t.Fatal(err)
	}
	defer inj.Close()
	for i := from; i < from+n; i++ {
		f, _ := netns.NumberedFrame(i)
		if err := inj.Send(f); err != nil {
			t.Fatal(err)
		}
	}
}

// tsharkFields runs tshark on a file and returns one line per frame.
func tsharkFields(t *testing.T, file string, fields ...string) []string {
	t.Helper()
	args := []string{"-r", file, "-T", "fields"}
	for _, f := range fields {
		args = append(args, "-e", f)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "tshark", args...).Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("tshark -r %s: %v: %s", file, err, stderr)
	}
	s := strings.TrimRight(string(out), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

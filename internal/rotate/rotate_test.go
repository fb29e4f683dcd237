package rotate

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func names(t *testing.T, p Plan, n int) []string {
	t.Helper()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	nm := NewNamer(p)
	var out []string
	at := time.Date(2026, 11, 26, 15, 4, 5, 0, time.UTC)
	for range n {
		s, err := nm.Next(at)
		if err != nil {
			out = append(out, "error: "+err.Error())
			continue
		}
		out = append(out, s)
		at = at.Add(time.Hour)
	}
	return out
}

func TestNamer(t *testing.T) {
	for _, tc := range []struct {
		plan Plan
		want string
	}{
		{Plan{Path: "cap.pcap", Size: 1e6}, "cap.pcap cap.pcap1 cap.pcap2 cap.pcap3"},
		{Plan{Path: "cap.pcap", Size: 1e6, Files: 3}, "cap.pcap0 cap.pcap1 cap.pcap2 cap.pcap0"},
		{Plan{Path: "c", Size: 1e6, Files: 11}, "c00 c01 c02 c03"},
		{Plan{Path: "plant-%Y%m%d-%H%M%S.pcapng", Period: time.Hour}, "plant-20261126-150405.pcapng plant-20261126-160405.pcapng plant-20261126-170405.pcapng plant-20261126-180405.pcapng"},
		{Plan{Path: "%j-%y %b %a %s %%", Period: time.Hour, Files: 2}, "330-26 Nov Thu 1795705445 % 330-26 Nov Thu 1795709045 % error: " + ErrDone.Error() + " error: " + ErrDone.Error()},
	} {
		if got := strings.Join(names(t, tc.plan, 4), " "); got != tc.want {
			t.Errorf("%+v:\n got %s\nwant %s", tc.plan, got, tc.want)
		}
	}
	nm := NewNamer(Plan{Path: "x", Period: time.Second, Files: 1})
	nm.Next(time.Now()) //nolint:errcheck // the first file
	if _, err := nm.Next(time.Now()); !errors.Is(err, ErrDone) {
		t.Errorf("second file of -W 1: %v", err)
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		plan Plan
		want string
	}{
		{Plan{Path: "x", Files: 3}, "-W needs -C or -G"},
		{Plan{Path: "x", Size: 1, Period: time.Second}, "use one of -C and -G"},
		{Plan{Path: "-", Size: 1}, "not standard output"},
		{Plan{Path: "", Period: time.Second}, "not standard output"},
		{Plan{Path: "x", Size: -1}, "must be positive"},
		{Plan{Path: "x", Size: 1, Files: -2}, "must be positive"},
		{Plan{Path: "x", Period: 500 * time.Millisecond}, "whole seconds"},
		{Plan{Path: "x-%Q", Period: time.Second}, "%Q is not a conversion"},
		{Plan{Path: "x-%", Period: time.Second}, "lone %"},
	} {
		if err := tc.plan.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.plan, err, tc.want)
		}
	}
	if err := (Plan{Path: "x-%Q"}).Validate(); err != nil {
		t.Errorf("a pattern only matters with -G: %v", err)
	}
}

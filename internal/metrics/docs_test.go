package metrics

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// The dashboard and scrape configuration in docs/grafana are checked
// against what this package really serves, and with Prometheus' own
// promtool (Debian package prometheus).

var grafanaDir = filepath.Join("..", "..", "docs", "grafana")

// servedNames returns the names of the series RegisterCapture serves when
// every field is set.
func servedNames(t *testing.T) map[string]bool {
	t.Helper()
	var p pipeline
	r := New()
	if err := r.RegisterCapture(p.capture()); err != nil {
		t.Fatal(err)
	}
	mfs, err := r.gatherer.Gather()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, mf := range mfs {
		names[mf.GetName()] = true
	}
	return names
}

type dashboard struct {
	UID        string `json:"uid"`
	Title      string `json:"title"`
	Templating struct {
		List []struct {
			Name string `json:"name"`
			Type string `json:"type"`
		} `json:"list"`
	} `json:"templating"`
	Panels []struct {
		ID         int    `json:"id"`
		Title      string `json:"title"`
		Type       string `json:"type"`
		Datasource struct {
			UID string `json:"uid"`
		} `json:"datasource"`
		GridPos struct{ X, Y, W, H int } `json:"gridPos"`
		Targets []struct {
			RefID string `json:"refId"`
			Expr  string `json:"expr"`
		} `json:"targets"`
	} `json:"panels"`
}

func TestDashboardMatchesSeries(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(grafanaDir, "wirebom-dashboard.json"))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	var d dashboard
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("dashboard JSON: %v", err)
	}
	if d.UID == "" || d.Title == "" || len(d.Panels) == 0 {
		t.Fatalf("dashboard lacks uid, title or panels")
	}
	vars := map[string]bool{}
	for _, v := range d.Templating.List {
		vars[v.Name] = true
	}
	if !vars["datasource"] || !vars["instance"] {
		t.Errorf("dashboard variables %v, want datasource and instance (so it imports on any Grafana)", vars)
	}

	served := servedNames(t)
	used := map[string]bool{}
	seriesRE := regexp.MustCompile(`\bwirebom_[a-z0-9_]+`)
	ids := map[int]bool{}
	type cell struct{ x, y int }
	grid := map[cell]int{}
	for _, p := range d.Panels {
		if ids[p.ID] {
			t.Errorf("panel id %d repeated", p.ID)
		}
		ids[p.ID] = true
		if p.Datasource.UID != "${datasource}" {
			t.Errorf("panel %q: datasource %q, want ${datasource}", p.Title, p.Datasource.UID)
		}
		if p.GridPos.W <= 0 || p.GridPos.H <= 0 || p.GridPos.X+p.GridPos.W > 24 {
			t.Errorf("panel %q: bad gridPos %+v", p.Title, p.GridPos)
		}
		for x := p.GridPos.X; x < p.GridPos.X+p.GridPos.W; x++ {
			for y := p.GridPos.Y; y < p.GridPos.Y+p.GridPos.H; y++ {
				if other, ok := grid[cell{x, y}]; ok {
					t.Errorf("panels %d and %d overlap", other, p.ID)
				}
				grid[cell{x, y}] = p.ID
			}
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, q := range p.Targets {
			names := seriesRE.FindAllString(q.Expr, -1)
			if len(names) == 0 {
				t.Errorf("panel %q query %s uses no wirebom series: %s", p.Title, q.RefID, q.Expr)
			}
			if strings.Count(q.Expr, "(") != strings.Count(q.Expr, ")") {
				t.Errorf("panel %q: unbalanced parentheses in %s", p.Title, q.Expr)
			}
			for _, n := range names {
				if !served[n] {
					t.Errorf("panel %q queries %s, which wirebom does not serve", p.Title, n)
				}
				used[n] = true
			}
		}
	}
	var unused []string
	for n := range served {
		if !used[n] {
			unused = append(unused, n)
		}
	}
	sort.Strings(unused)
	if len(unused) > 0 {
		t.Errorf("series served but shown on no panel: %v", unused)
	}
}

// promtool runs Prometheus' promtool with stdin and returns its combined
// output, failing the test if it exits non-zero.
func promtool(t *testing.T, stdin []byte, args ...string) string {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err != nil {
		t.Fatalf("promtool not found (install the Debian package prometheus): %v", err)
	}
	cmd := exec.Command(path, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func TestPromtoolAcceptsExposition(t *testing.T) {
	// promtool check metrics parses the text format and lints names,
	// units, help texts and counter suffixes; it prints nothing when
	// every series passes.
	var p pipeline
	p.packets.Store(10)
	r := New()
	if err := r.RegisterCapture(p.capture()); err != nil {
		t.Fatal(err)
	}
	if err := r.BuildInfo("test"); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := r.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	if out := promtool(t, buf.Bytes(), "check", "metrics"); strings.TrimSpace(out) != "" {
		t.Errorf("promtool check metrics complains:\n%s", out)
	}
}

func TestPromtoolAcceptsScrapeConfig(t *testing.T) {
	promtool(t, nil, "check", "config", filepath.Join(grafanaDir, "prometheus-scrape.yml"))
}

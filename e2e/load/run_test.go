package load

import (
	"bytes"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A few seconds of the whole run on a tiny population, every service in
// this process: the users' flows succeed, every acknowledged fact reaches
// the pathway exactly once, and the report and its chart are written.
func TestTinyRun(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "report", "load.md")
	var log bytes.Buffer
	r, err := Bench(t.Context(), Config{
		Size:     Size{People: 240, Organisations: 2, Classes: 12},
		Users:    Users{Teachers: 2, CaseWorkers: 1, Counsellors: 1, Employers: 1, HousingWorkers: 1, Watchers: 1},
		Duration: 3 * time.Second, MinRegisters: 2, RawHTTPFor: 500 * time.Millisecond, IdleFor: time.Second,
		Drain:     3 * time.Minute, // a bound, reached only on a machine busy with other work
		InProcess: true,
		Dir:       filepath.Join(dir, "data"),
		Out:       out,
		Command:   "go test",
		Progress: func(format string, args ...any) {
			log.WriteString(strings.TrimSpace(fmt.Sprintf(format, args...)) + "\n")
		},
	})
	if err != nil {
		t.Fatalf("%v\nprogress:\n%s", err, log.String())
	}
	t.Logf("progress:\n%s", log.String())
	run := r.Run
	// How far the slower flows get in a few seconds depends on the
	// machine; registers come first and must always get through.
	if acked, _ := run.Ledger.Count(Attendance); acked == 0 {
		t.Error("no attendance mark was acknowledged")
	}
	for _, kind := range []string{PlacementConfirmed, HousingStepStarted} {
		acked, _ := run.Ledger.Count(kind)
		t.Logf("%d %s acknowledged, freshness %+v", acked, kind, run.Probe.freshness(kind))
	}
	// The watchers keep reading until what they follow shows up.
	if f := run.Probe.freshness(Attendance); f.Followed == 0 || len(f.Seen) != f.Followed {
		t.Errorf("freshness of marks: %d followed, %d seen, want every one seen", f.Followed, len(f.Seen))
	}
	if v := run.Verdict; len(v.Missing) > 0 || len(v.Duplicated) > 0 || v.ExactlyOnce != v.Acked {
		t.Errorf("verdict %d of %d exactly once, missing %v, duplicated %v", v.ExactlyOnce, v.Acked, v.Missing, v.Duplicated)
	}
	for _, a := range run.Recorder.Actions() {
		if len(a.Failed) > 0 {
			t.Errorf("%s failed: %v", a.Name, a.Failed)
		}
	}
	md, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## In short", "registers acknowledged", "## Latency of each user action", actRegister, "## Freshness", "## Memory and CPU", "## Raw limits", "InsertMany", "![throughput"} {
		if !bytes.Contains(md, []byte(want)) {
			t.Errorf("the report lacks %q", want)
		}
	}
	f, err := os.Open(filepath.Join(dir, "report", "load.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if img, err := png.Decode(f); err != nil || img.Bounds().Dx() != chartWidth {
		t.Errorf("chart: %v", err)
	}
}

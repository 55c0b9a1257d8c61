package register_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/register"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	roster := []string{"p1", "p2"}
	m := func(p string, s register.Status, min int) register.Mark {
		return register.Mark{Person: p, Status: s, Minutes: min}
	}
	cases := []struct {
		name  string
		marks []register.Mark
		field string // "" when valid
	}{
		{"complete", []register.Mark{m("p1", register.Present, 0), m("p2", register.Late, 30)}, ""},
		{"absent and excused", []register.Mark{m("p1", register.Absent, 0), m("p2", register.Excused, 0)}, ""},
		{"empty", nil, "marks"},
		{"missing person", []register.Mark{m("p1", register.Present, 120)}, "marks"},
		{"not enrolled", []register.Mark{m("p1", register.Present, 0), m("p9", register.Present, 0)}, "marks[1].person"},
		{"twice", []register.Mark{m("p1", register.Present, 0), m("p1", register.Absent, 0)}, "marks[1].person"},
		{"no person", []register.Mark{m("", register.Present, 0)}, "marks[0].person"},
		{"absurd minutes", []register.Mark{m("p1", register.Present, 900), m("p2", register.Present, 0)}, "marks[0].minutes"},
		{"negative minutes", []register.Mark{m("p1", register.Late, -5), m("p2", register.Present, 0)}, "marks[0].minutes"},
		{"late for the whole lesson", []register.Mark{m("p1", register.Late, 120), m("p2", register.Present, 0)}, "marks[0].minutes"},
		{"absent with minutes", []register.Mark{m("p1", register.Present, 0), m("p2", register.Absent, 10)}, "marks[1].minutes"},
		{"unknown status", []register.Mark{m("p1", "sleeping", 0), m("p2", register.Present, 0)}, "marks[0].status"},
		{"no status", []register.Mark{m("p1", "", 0), m("p2", register.Present, 0)}, "marks[0].status"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := register.Check(tc.marks, roster, 120)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				if tc.marks[0].Status == register.Present && tc.marks[0].Minutes != 120 {
					t.Fatalf("present minutes not filled in: %d", tc.marks[0].Minutes)
				}
				return
			}
			if e := errcode.As(err); e == nil || e.Code != errcode.Invalid || e.Field != tc.field {
				t.Fatalf("err = %v, want invalid %s", err, tc.field)
			}
		})
	}
}

func TestCorrect(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	stored := []register.Mark{{"p1", register.Present, 120}, {"p2", register.Absent, 0}}
	cases := []struct {
		name    string
		changes []register.Mark
		reason  string
		field   string // "" when valid
		want    []register.Mark
	}{
		{"absent was late", []register.Mark{{"p2", register.Late, 50}}, "arrived at 10:10", "",
			[]register.Mark{{"p1", register.Present, 120}, {"p2", register.Late, 50}}},
		{"present fills minutes", []register.Mark{{"p2", register.Present, 0}}, "was there", "",
			[]register.Mark{{"p1", register.Present, 120}, {"p2", register.Present, 120}}},
		{"no reason", []register.Mark{{"p2", register.Excused, 0}}, "", "reason", nil},
		{"nothing to change", nil, "x", "marks", nil},
		{"same as stored", []register.Mark{{"p1", register.Present, 0}}, "x", "marks", nil},
		{"not in register", []register.Mark{{"p9", register.Present, 0}}, "x", "marks[0].person", nil},
		{"twice", []register.Mark{{"p2", register.Excused, 0}, {"p2", register.Absent, 0}}, "x", "marks[1].person", nil},
		{"minutes too many", []register.Mark{{"p2", register.Late, 500}}, "x", "marks[0].minutes", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, cs, err := register.Correct(stored, tc.changes, 120, "coord", tc.reason, at)
			if tc.field != "" {
				if e := errcode.As(err); e == nil || e.Code != errcode.Invalid || e.Field != tc.field {
					t.Fatalf("err = %v, want invalid %s", err, tc.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("marks %v, want %v", got, tc.want)
			}
			if len(cs) != 1 || cs[0].From != stored[1] || cs[0].To != tc.want[1] || cs[0].By != "coord" || cs[0].Reason != tc.reason || !cs[0].At.Equal(at) {
				t.Fatalf("corrections %+v", cs)
			}
			if stored[1].Status != register.Absent {
				t.Fatal("stored marks changed in place")
			}
		})
	}
}

func TestFigures(t *testing.T) {
	t.Parallel()
	var f register.Figures
	for _, m := range []register.Mark{
		{"p", register.Present, 120}, {"p", register.Absent, 0}, {"p", register.Excused, 0},
		{"p", register.Absent, 0}, {"p", register.Late, 60}, {"p", register.Absent, 0},
	} {
		f.Add(m, 120)
	}
	want := register.Figures{MinutesAttended: 180, MinutesHeld: 720, LessonsHeld: 6, LessonsAttended: 2, ConsecutiveAbsences: 1}
	if f != want {
		t.Fatalf("figures %+v, want %+v", f, want)
	}
	if f.RateBP() != 2500 {
		t.Fatalf("rate %d bp, want 2500", f.RateBP())
	}
	// An excused absence does not break a run of absences.
	var run register.Figures
	for _, s := range []register.Status{register.Absent, register.Excused, register.Absent, register.Absent} {
		run.Add(register.Mark{Status: s}, 120)
	}
	if run.ConsecutiveAbsences != 3 {
		t.Fatalf("run of %d absences, want 3", run.ConsecutiveAbsences)
	}
	// Hours carried from another class count for hours and rate.
	f.Carry(register.Figures{MinutesAttended: 600, MinutesHeld: 600, LessonsHeld: 5, LessonsAttended: 5, ConsecutiveAbsences: 4})
	if f.MinutesAttended != 780 || f.RateBP() != 780*10000/1320 || f.ConsecutiveAbsences != 1 {
		t.Fatalf("after carry %+v", f)
	}
	for _, tc := range []struct {
		attended, planned int
		want              bool
	}{{8400, 12000, true}, {8399, 12000, false}, {0, 0, false}} {
		if got := (register.Figures{MinutesAttended: tc.attended}).Reaches(7000, tc.planned); got != tc.want {
			t.Errorf("%d of %d reaches 70%%: %v, want %v", tc.attended, tc.planned, got, tc.want)
		}
	}
}

// BenchmarkCheck is the cost of checking a class of twenty.
func BenchmarkCheck(b *testing.B) {
	roster := make([]string, 20)
	marks := make([]register.Mark, 20)
	for i := range roster {
		roster[i] = fmt.Sprintf("ps-%02d", i)
		marks[i] = register.Mark{Person: roster[i], Status: register.Present, Minutes: 120}
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := register.Check(marks, roster, 120); err != nil {
			b.Fatal(err)
		}
	}
}

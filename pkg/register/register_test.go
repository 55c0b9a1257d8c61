package register_test

import (
	"fmt"
	"testing"

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

package pathway_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/fieldcrypt"
	"github.com/percorsi/percorsi/services/pathway"
	"github.com/percorsi/percorsi/services/pathway/domain"
)

// people and facts hold what monitoring reads; the embedded interfaces
// stay nil, as monitoring calls nothing else.
type people struct {
	pathway.Persons
	all []*domain.Person
}

func (p *people) All(context.Context) ([]*domain.Person, error) { return p.all, nil }

type facts struct {
	domain.Timeline
	all []domain.Entry
}

func (f *facts) All(context.Context) ([]domain.Entry, error) { return f.all, nil }

// Whatever the population, monitoring never shows a cell under 5, and what
// it shows is the true count.
func TestMonitoringSuppressesSmallCells(t *testing.T) {
	t.Parallel()
	ring, err := fieldcrypt.ParseKeyring(masterKeys)
	if err != nil {
		t.Fatal(err)
	}
	monitor := auth.With(t.Context(), auth.Principal{Subject: "m", Role: auth.Monitoring})
	from, to := day("2026-01-01"), day("2027-01-01")
	for seed := range uint64(50) {
		rng := rand.New(rand.NewPCG(seed, 1))
		ps, fs := &people{}, &facts{}
		truth := map[string]map[string]int{}
		for i := range rng.IntN(40) {
			org := fmt.Sprintf("org%d", rng.IntN(4))
			id := fmt.Sprintf("ps-%d", i)
			since := from.AddDate(0, rng.IntN(14)-1, 0)
			ps.all = append(ps.all, &domain.Person{Pseudonym: id, Organisation: org, Since: since})
			if truth[org] == nil {
				truth[org] = map[string]int{}
			}
			if !since.Before(from) && since.Before(to) {
				truth[org]["taken_in_charge"]++
			}
			if rng.IntN(2) == 0 {
				at := from.AddDate(0, rng.IntN(12), 0)
				for range 1 + rng.IntN(3) { // several lessons count one person once
					fs.all = append(fs.all, domain.Entry{Person: id, OccurredAt: at, Attendance: &domain.Attendance{Status: "present"}})
				}
				truth[org]["enrolled"]++
			}
		}
		svc := pathway.NewService(pathway.Stores{Persons: ps, Timeline: fs}, ring, domain.DefaultRules(), time.Now)
		rows, err := svc.Monitoring(monitor, "organisation", from, to)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			for ind, n := range r.Counts {
				switch want := truth[r.Group][ind]; {
				case n == nil && want >= pathway.MinCell:
					t.Fatalf("seed %d: %s %s suppressed at %d", seed, r.Group, ind, want)
				case n != nil && (*n < pathway.MinCell || *n != want):
					t.Fatalf("seed %d: %s %s shows %d, true count %d", seed, r.Group, ind, *n, want)
				}
			}
		}
		if csv := pathway.MonitoringCSV("organisation", from, to, rows); strings.Count(csv, "\n") != len(rows)+1 {
			t.Fatalf("seed %d: csv has %d lines for %d rows", seed, strings.Count(csv, "\n"), len(rows))
		}
	}
	if _, err := pathway.NewService(pathway.Stores{}, ring, domain.DefaultRules(), time.Now).Monitoring(
		auth.With(t.Context(), auth.Principal{Subject: "cw", Role: auth.CaseWorker, Organisation: "org1"}), "organisation", from, to); err == nil {
		t.Fatal("a case worker read the indicators")
	}
}

package store_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/percorsi/percorsi/pkg/devstack/devstacktest"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/mongostore"
	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/services/pathway/domain"
	"github.com/percorsi/percorsi/services/pathway/store"
)

// A person survives Seed, Update and Get unchanged but for what fn changed,
// and the change runs once.
func TestPersonsRoundTrip(t *testing.T) {
	ctx := t.Context()
	db := devstacktest.Mongo(t, devstacktest.Start(t)).Database("pathway_persons_test")
	devstacktest.EnsureIndexes(t, db, store.Indexes()...)
	ps := store.NewPersons(db, nil)
	changes := 0
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	p := &domain.Person{Pseudonym: "ps-1", Organisation: "org1", DisplayName: "A", Since: at, RecordedAt: at.Add(time.Hour)}
	if err := ps.Seed(ctx, p); err != nil {
		t.Fatal(err)
	}
	_, err := ps.Update(ctx, "ps-1", func(p *domain.Person) ([]outbox.Message, error) {
		changes++
		p.Permits = append(p.Permits, domain.Permit{Kind: domain.PermitSpecialCases, ValidFrom: at, ValidUntil: at.AddDate(0, 6, 0), RecordedAt: at})
		p.Alerts = append(p.Alerts, domain.Alert{ID: "a:1", Kind: domain.AlertInactivity, RaisedAt: at})
		p.Plan = domain.Plan{Revision: 1, Goals: []domain.Goal{{ID: "g1", Domain: domain.Work, Title: "t", Status: "open"}}, UpdatedAt: at}
		p.Sealed = map[string][]byte{"legal_name": {1, 2, 3}}
		p.Stage, p.LastActivity = domain.StageLearning, at.Add(2*time.Hour)
		return []outbox.Message{{ID: "e1", Topic: "t", Key: "ps-1", Type: "x"}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := ps.Get(ctx, "ps-1")
	if err != nil {
		t.Fatal(err)
	}
	want := &domain.Person{Pseudonym: "ps-1", Organisation: "org1", DisplayName: "A", Since: at, RecordedAt: at.Add(time.Hour),
		Stage: domain.StageLearning, LastActivity: at.Add(2 * time.Hour),
		Permits: []domain.Permit{{Kind: domain.PermitSpecialCases, ValidFrom: at, ValidUntil: at.AddDate(0, 6, 0), RecordedAt: at}},
		Alerts:  []domain.Alert{{ID: "a:1", Kind: domain.AlertInactivity, RaisedAt: at}},
		Plan:    domain.Plan{Revision: 1, Goals: []domain.Goal{{ID: "g1", Domain: domain.Work, Title: "t", Status: "open"}}, UpdatedAt: at},
		Sealed:  map[string][]byte{"legal_name": {1, 2, 3}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
	if changes != 1 {
		t.Fatalf("changed %d times", changes)
	}
}

// InCharge reads one organisation's people without their sealed fields,
// plan, consents or transfers: 1000 people in 10 organisations. Beside it,
// the store's own cost of reading one person by _id at the same size
// (FerretDB scans for both: see DESIGN.md).
func BenchmarkInCharge(b *testing.B) {
	ctx := b.Context()
	db := devstacktest.Mongo(b, devstacktest.Start(b)).Database("pathway_caseload_bench")
	devstacktest.EnsureIndexes(b, db, store.Indexes()...)
	ps := store.NewPersons(db, nil)
	if err := mongostore.EnsureIndexes(ctx, db, store.Indexes()...); err != nil {
		b.Fatal(err)
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i := range 1000 {
		p := &domain.Person{Pseudonym: fmt.Sprintf("ps-%04d", i), Organisation: fmt.Sprintf("org%d", i%10), DisplayName: "P", Since: at,
			Sealed:  map[string][]byte{"legal_name": make([]byte, 64)},
			Permits: []domain.Permit{{Kind: domain.PermitSpecialCases, ValidFrom: at, ValidUntil: at.AddDate(0, 6, 0)}},
			Alerts:  []domain.Alert{{ID: "inactivity:x", Kind: domain.AlertInactivity, RaisedAt: at}},
			Plan:    domain.Plan{Revision: 1, Goals: []domain.Goal{{ID: "g1", Domain: domain.Work, Title: "a goal in words", Status: "open"}}}}
		if err := ps.Seed(ctx, p); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("in_charge_100_of_1000", func(b *testing.B) {
		for b.Loop() {
			if got, err := ps.InCharge(ctx, "org3"); err != nil || len(got) != 100 {
				b.Fatalf("%d people, %v", len(got), err)
			}
		}
	})
	b.Run("store_get_1_of_1000", func(b *testing.B) {
		for b.Loop() {
			if _, err := ps.Get(ctx, "ps-0003"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// Summarise sets the stage and last activity and nothing else: not the
// version, which still guards the next Update.
func TestPersonsSummarise(t *testing.T) {
	ctx := t.Context()
	db := devstacktest.Mongo(t, devstacktest.Start(t)).Database("pathway_persons_test")
	devstacktest.EnsureIndexes(t, db, store.Indexes()...)
	ps := store.NewPersons(db, nil)
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	p := &domain.Person{Pseudonym: "ps-1", Organisation: "org1", DisplayName: "A", Since: at, Sealed: map[string][]byte{"legal_name": {1}},
		Alerts: []domain.Alert{{ID: "a:1", Kind: domain.AlertInactivity, RaisedAt: at}}}
	if err := ps.Seed(ctx, p); err != nil {
		t.Fatal(err)
	}
	before, err := ps.Get(ctx, "ps-1")
	if err != nil {
		t.Fatal(err)
	}
	if err := ps.Summarise(ctx, "ps-1", domain.StageLearning, at.AddDate(0, 0, 1)); err != nil {
		t.Fatal(err)
	}
	got, err := ps.Get(ctx, "ps-1")
	if err != nil {
		t.Fatal(err)
	}
	want := *before
	want.Stage, want.LastActivity = domain.StageLearning, at.AddDate(0, 0, 1)
	if !reflect.DeepEqual(got, &want) {
		t.Fatalf("got  %+v\nwant %+v", got, &want)
	}
	if err := ps.Summarise(ctx, "ps-1", "", time.Time{}); err != nil {
		t.Fatal(err)
	}
	if got, err := ps.Get(ctx, "ps-1"); err != nil || got.Stage != "" || !got.LastActivity.IsZero() {
		t.Fatalf("after clearing: %+v, %v", got, err)
	}
	if _, err := ps.Update(ctx, "ps-1", func(p *domain.Person) ([]outbox.Message, error) { p.DisplayName = "B"; return nil, nil }); err != nil {
		t.Fatalf("update after summarise: %v", err)
	}
	if err := ps.Summarise(ctx, "ps-unknown", domain.StageLearning, at); errcode.Of(err) != errcode.NotFound {
		t.Fatalf("summarise unknown = %v, want NotFound", err)
	}
}

package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/percorsi/percorsi/pkg/devstack/devstacktest"
	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/services/pathway/domain"
	"github.com/percorsi/percorsi/services/pathway/store"
)

// A person survives Put, Update and Get unchanged but for what fn changed,
// and an Update whose fn says ErrUnchanged writes nothing.
func TestPersonsRoundTrip(t *testing.T) {
	ctx := t.Context()
	db := devstacktest.Mongo(t, devstacktest.Start(t)).Database("pathway_persons_test")
	var sealed [][]domain.Event
	ps := store.NewPersons(db, func(_ context.Context, evs []domain.Event) ([]outbox.Message, error) {
		sealed = append(sealed, evs)
		return nil, nil
	}, outbox.NewGate(), func() {})
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	p := &domain.Person{Pseudonym: "ps-1", Organisation: "org1", DisplayName: "A", Since: at}
	if err := ps.Put(ctx, p); err != nil {
		t.Fatal(err)
	}
	err := ps.Update(ctx, "ps-1", func(p *domain.Person) ([]domain.Event, error) {
		p.Permits = append(p.Permits, domain.Permit{Kind: domain.PermitSpecialCases, ValidFrom: at, ValidUntil: at.AddDate(0, 6, 0), RecordedAt: at})
		p.Alerts = append(p.Alerts, domain.Alert{ID: "a:1", Kind: domain.AlertInactivity, RaisedAt: at})
		p.Plan = domain.Plan{Revision: 1, Goals: []domain.Goal{{ID: "g1", Domain: domain.Work, Title: "t", Status: "open"}}, UpdatedAt: at}
		p.Sealed = map[string][]byte{"legal_name": {1, 2, 3}}
		return []domain.Event{{Kind: "x"}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := ps.Get(ctx, "ps-1")
	if err != nil {
		t.Fatal(err)
	}
	want := &domain.Person{Pseudonym: "ps-1", Organisation: "org1", DisplayName: "A", Since: at,
		Permits: []domain.Permit{{Kind: domain.PermitSpecialCases, ValidFrom: at, ValidUntil: at.AddDate(0, 6, 0), RecordedAt: at}},
		Alerts:  []domain.Alert{{ID: "a:1", Kind: domain.AlertInactivity, RaisedAt: at}},
		Plan:    domain.Plan{Revision: 1, Goals: []domain.Goal{{ID: "g1", Domain: domain.Work, Title: "t", Status: "open"}}, UpdatedAt: at},
		Sealed:  map[string][]byte{"legal_name": {1, 2, 3}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
	if len(sealed) != 1 {
		t.Fatalf("sealed %d times", len(sealed))
	}
}

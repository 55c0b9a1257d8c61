package store_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/percorsi/percorsi/pkg/devstack/devstacktest"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/pkg/versioned"
	"github.com/percorsi/percorsi/services/jobs/domain"
	"github.com/percorsi/percorsi/services/jobs/store"
)

func open(t testing.TB) (*mongo.Database, store.Stores) {
	t.Helper()
	stack := devstacktest.Start(t)
	db := devstacktest.Mongo(t, stack).Database("jobs")
	devstacktest.EnsureIndexes(t, db, store.Indexes()...)
	return db, store.New(db, nil)
}

// event is a stand-in message: what matters here is that it is stored
// with the write.
var event = []outbox.Message{{ID: "0", Topic: "t", Key: "k", Type: "ProfileUpdated"}}

// Concurrent updates of one profile all land: none is applied to a stale
// read, on MongoDB and on FerretDB alike.
func TestConcurrentUpdatesAllLand(t *testing.T) {
	db, st := open(t)
	profiles := st.Profiles
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 10 {
				_, err := profiles.Upsert(t.Context(), "ps-1", domain.NewProfile, func(p *domain.Profile) ([]outbox.Message, error) {
					p.AddSkill(fmt.Sprintf("s%d-%d", g, i), domain.Certified)
					return event, nil
				})
				if err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	p, err := profiles.Get(t.Context(), "ps-1")
	if err != nil || len(p.Skills) != 40 || p.Version != 40 {
		t.Fatalf("after 40 concurrent updates: %d skills, version %d, %v", len(p.Skills), p.Version, err)
	}
	var doc struct {
		Outbox []outbox.Message `bson:"outbox"`
	}
	if err := db.Collection("profiles").FindOne(t.Context(), map[string]string{"_id": "ps-1"}).Decode(&doc); err != nil || len(doc.Outbox) != 40 {
		t.Fatalf("%d pending events, want one per update (%v)", len(doc.Outbox), err)
	}
}

func TestUpdateContract(t *testing.T) {
	_, st := open(t)
	profiles, placements := st.Profiles, st.Placements
	ctx := t.Context()
	// A profile update starts from an empty profile; a placement's needs one.
	if _, err := placements.Update(ctx, "nope", func(*domain.Placement) ([]outbox.Message, error) { return nil, nil }); errcode.Of(err) != errcode.NotFound {
		t.Fatalf("update of a missing placement: %v", err)
	}
	if _, err := profiles.Upsert(ctx, "ps-1", domain.NewProfile, func(p *domain.Profile) ([]outbox.Message, error) {
		p.Italian = domain.A2
		return nil, nil
	}); err != nil {
		t.Fatal(err)
	}
	// ErrNoChange and a refusal store nothing.
	for _, fnErr := range []error{versioned.ErrNoChange, errcode.New(errcode.Conflict, "x", "no")} {
		_, err := profiles.Update(ctx, "ps-1", func(p *domain.Profile) ([]outbox.Message, error) {
			p.Italian = domain.C2
			return nil, fnErr
		})
		if (fnErr == versioned.ErrNoChange) != (err == nil) {
			t.Fatalf("update returning %v: %v", fnErr, err)
		}
	}
	p, err := profiles.Get(ctx, "ps-1")
	if err != nil || p.Italian != domain.A2 || p.Version != 1 {
		t.Fatalf("profile %+v, %v", p, err)
	}
	// A placement round-trips, times in UTC and zero times zero.
	start := time.Date(2027, 3, 8, 0, 0, 0, 0, time.UTC)
	pl := &domain.Placement{ID: "pl1", ProposalID: "pr1", Person: "ps-1", StartsOn: start, Status: domain.AwaitingConfirmation,
		ConfirmDue: start.AddDate(0, 0, 7), Link: domain.Link{ID: "l1", Purpose: domain.ConfirmStart, Expires: start.AddDate(0, 0, 14)}}
	if err := placements.Create(ctx, pl.ID, pl, nil); err != nil {
		t.Fatal(err)
	}
	dup := *pl
	dup.ID = "pl2"
	if err := placements.Create(ctx, dup.ID, &dup, nil); errcode.Of(err) != errcode.Conflict {
		t.Fatalf("second placement of one proposal: %v", err)
	}
	got, err := placements.Get(ctx, "pl1")
	if err != nil || !got.StartsOn.Equal(start) || got.StartsOn.Location() != time.UTC || !got.EndedOn.IsZero() || got.Link != pl.Link {
		t.Fatalf("placement %+v, %v", got, err)
	}
	due, err := placements.Unconfirmed(ctx, start.AddDate(0, 0, 8), 10)
	if err != nil || len(due) != 1 {
		t.Fatalf("unconfirmed %d, %v", len(due), err)
	}
}

// BenchmarkStoreCandidates is the store's own cost of what a ranking reads:
// every active profile of an organisation. On FerretDB v1 it is a scan of
// the collection; on MongoDB an index range.
func BenchmarkStoreCandidates(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			db, st := open(b)
			profiles := st.Profiles
			docs := make([]any, n)
			for i := range docs {
				docs[i] = map[string]any{
					"_id": fmt.Sprintf("ps-%07d", i), "organisation": "org", "active": true, "version": 1,
					"skills":  []map[string]any{{"code": "esco:s1", "evidence": 2}, {"code": "esco:s2", "evidence": 3}},
					"italian": 3, "outbox": []any{}, "outbox_pending": false,
				}
			}
			if _, err := db.Collection("profiles").InsertMany(b.Context(), docs); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for b.Loop() {
				ps, err := profiles.Candidates(b.Context(), "org")
				if err != nil || len(ps) != n {
					b.Fatalf("%d profiles, %v", len(ps), err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/profile")
		})
	}
}

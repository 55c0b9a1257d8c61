package store

import (
	"testing"
	"time"

	"github.com/percorsi/percorsi/pkg/devstack/devstacktest"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/services/housing/domain"
)

// TestStalePlacesAreReclaimed covers the two ways a place can stay held
// without a step in it, since places and steps are separate writes: the
// release after an end failed, or the process died between taking a place
// and storing the step. A full accommodation frees such places, the second
// only once it is clearly abandoned.
func TestStalePlacesAreReclaimed(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	stack := devstacktest.Start(t)
	db := devstacktest.Mongo(t, stack).Database("housing_store_test")
	devstacktest.EnsureIndexes(t, db, Indexes()...)
	steps := NewSteps(db, func(string, any) {})
	now := time.Now()
	steps.now = func() time.Time { return now }
	start := func(id string) error {
		return steps.Start(ctx, &domain.Step{ID: id, Person: "p-" + id, Organisation: "org", Kind: domain.SemiAutonomyFlat, AccommodationID: "flat", Start: now}, 2, nil)
	}
	full := func(what string) {
		t.Helper()
		if err := start("extra-" + what); errcode.As(err) == nil || errcode.As(err).Field != "accommodation_id" {
			t.Fatalf("%s: %v, want a conflict naming accommodation_id", what, err)
		}
	}
	for _, id := range []string{"s1", "s2"} {
		if err := start(id); err != nil {
			t.Fatal(err)
		}
	}
	full("two of two")

	// s1 ended but its place was not released.
	if _, err := steps.ends.Mongo().InsertOne(ctx, stepEndDoc{ID: "s1", Fields: stepEndFields{Person: "p-s1", Organisation: "org", End: now, Reason: "other", Destination: "unknown"}}); err != nil {
		t.Fatal(err)
	}
	if err := start("s3"); err != nil {
		t.Fatalf("the place of an ended step was not reclaimed: %v", err)
	}
	full("after reclaiming")

	// s2 leaves properly; then a place is taken by a step never stored.
	s2, err := steps.Get(ctx, "s2")
	if err != nil {
		t.Fatal(err)
	}
	if err := s2.Close(now, domain.OtherReason, domain.UnknownPlace, "hw", now); err != nil {
		t.Fatal(err)
	}
	if err := steps.End(ctx, s2, true, nil); err != nil {
		t.Fatal(err)
	}
	if err := steps.End(ctx, s2, true, nil); errcode.Of(err) != errcode.Conflict {
		t.Fatalf("ending twice: %v", err)
	}
	if _, err := steps.places.InsertOne(ctx, placeDoc{ID: "flat#1", AccommodationID: "flat", StepID: "ghost", Since: now}); err != nil {
		t.Fatal(err)
	}
	full("a place just taken by a step being stored")
	now = now.Add(orphanAfter + time.Minute)
	if err := start("s4"); err != nil {
		t.Fatalf("an abandoned place was not reclaimed: %v", err)
	}
	occupied, err := steps.Occupied(ctx)
	if err != nil {
		t.Fatal(err)
	}
	open, err := steps.OpenIn(ctx, "flat")
	if err != nil {
		t.Fatal(err)
	}
	if occupied["flat"] != 2 || len(open) != 2 {
		t.Fatalf("%d places taken, %d open steps; want 2 and 2", occupied["flat"], len(open))
	}
}

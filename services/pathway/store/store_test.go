package store_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/percorsi/percorsi/pkg/devstack/devstacktest"
	"github.com/percorsi/percorsi/services/pathway/domain"
	"github.com/percorsi/percorsi/services/pathway/store"
)

// Adding is idempotent by event id, and a timeline lists in the order
// things happened whatever the order of arrival.
func TestTimelineAddIsIdempotent(t *testing.T) {
	ctx := t.Context()
	db := devstacktest.Mongo(t, devstacktest.Start(t)).Database("pathway_store_test")
	devstacktest.EnsureIndexes(t, db, store.Indexes()...)
	tl := store.NewTimeline(db)
	t0 := time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC)
	const n = 60
	entry := func(i int) *domain.Entry {
		return &domain.Entry{
			EventID: fmt.Sprintf("e%03d", i), Person: "ps-1", Type: "t", Producer: "courses",
			OccurredAt: t0.AddDate(0, 0, i), RecordedAt: t0.AddDate(0, 0, i),
			Attendance: &domain.Attendance{CourseKind: "italian_l2", Status: "present", Minutes: 120, LessonMinutes: 120},
		}
	}
	// Arrivals out of order, one by one, then batches that mix new entries
	// with redeliveries, a batch holding the same event twice included.
	for i := n/2 - 1; i >= 0; i-- {
		if err := tl.Add(ctx, entry(i)); err != nil {
			t.Fatalf("add %d: %v", i, err)
		}
	}
	var batch []*domain.Entry
	for i := range n {
		batch = append(batch, entry(i))
	}
	if err := tl.Add(ctx, append(batch, entry(n-1))...); err != nil {
		t.Fatalf("batch: %v", err)
	}
	if err := tl.Add(ctx, batch...); err != nil {
		t.Fatalf("redelivered batch: %v", err)
	}
	got, err := tl.List(ctx, "ps-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("%d entries, want %d", len(got), n)
	}
	for i, e := range got {
		if e.EventID != fmt.Sprintf("e%03d", i) {
			t.Fatalf("entry %d is %s", i, e.EventID)
		}
	}
	if none, err := tl.List(ctx, "nobody"); err != nil || len(none) != 0 {
		t.Fatalf("unknown person: %v %v", none, err)
	}
}

// Every field of an entry comes back as stored: a correction's previous
// mark, a fact's minutes.
func TestTimelineRoundTrip(t *testing.T) {
	ctx := t.Context()
	db := devstacktest.Mongo(t, devstacktest.Start(t)).Database("pathway_store_test")
	devstacktest.EnsureIndexes(t, db, store.Indexes()...)
	tl := store.NewTimeline(db)
	at := time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC)
	want := []domain.Entry{
		{EventID: "e1", Person: "ps-1", Type: "percorsi.training.v1.AttendanceRecorded", Producer: "training", Organisation: "org1", OccurredAt: at, RecordedAt: at.Add(time.Hour),
			Attendance: &domain.Attendance{CourseKind: "vocational", ClassID: "ed1", LessonID: "l1", Status: "present", Minutes: 200, LessonMinutes: 240,
				Correction: true, PreviousStatus: "absent", PreviousMinutes: 0}},
		{EventID: "e2", Person: "ps-1", Type: "percorsi.training.v1.InternshipHoursRecorded", Producer: "training", Organisation: "org1", OccurredAt: at.Add(time.Minute), RecordedAt: at.Add(time.Minute),
			Fact: &domain.Fact{Kind: "internship_hours", Ref: "ed1", Level: "m3", Detail: "d", On: at, Until: at.AddDate(0, 1, 0), Flag: true, Minutes: 240, Total: 2400, Planned: 9000}},
	}
	if err := tl.Add(ctx, &want[0], &want[1]); err != nil {
		t.Fatal(err)
	}
	got, err := tl.List(ctx, "ps-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || *got[0].Attendance != *want[0].Attendance || *got[1].Fact != *want[1].Fact {
		t.Fatalf("got %+v %+v %+v, want %+v %+v", got, got[0].Attendance, got[1].Fact, want[0].Attendance, want[1].Fact)
	}
}

// ListEach gives each person named their own entries in List's order, and
// nobody else's.
func TestTimelineListEach(t *testing.T) {
	ctx := t.Context()
	db := devstacktest.Mongo(t, devstacktest.Start(t)).Database("pathway_store_test")
	devstacktest.EnsureIndexes(t, db, store.Indexes()...)
	tl := store.NewTimeline(db)
	at := time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC)
	entry := func(id, person string, day int) *domain.Entry {
		return &domain.Entry{EventID: id, Person: person, Type: "t", Producer: "courses", OccurredAt: at.AddDate(0, 0, day), RecordedAt: at}
	}
	if err := tl.Add(ctx, entry("e1", "ps-1", 2), entry("e2", "ps-2", 1), entry("e3", "ps-1", 1), entry("e4", "ps-3", 1)); err != nil {
		t.Fatal(err)
	}
	got, err := tl.ListEach(ctx, []string{"ps-1", "ps-2", "ps-9"})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string][]string{}
	for person, es := range got {
		for _, e := range es {
			ids[person] = append(ids[person], e.EventID)
		}
	}
	if want := map[string][]string{"ps-1": {"e3", "e1"}, "ps-2": {"e2"}}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("ListEach = %v, want %v", ids, want)
	}
}

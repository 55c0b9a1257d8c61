package pathway_test

import (
	"context"
	"errors"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/percorsi/percorsi/pkg/devstack/devstacktest"
	"github.com/percorsi/percorsi/pkg/fieldcrypt"
	"github.com/percorsi/percorsi/services/pathway"
	"github.com/percorsi/percorsi/services/pathway/domain"
	"github.com/percorsi/percorsi/services/pathway/store"
)

// failingOnce is the persons store that fails the first read of one
// person, as a store away for a moment does, and counts every read.
type failingOnce struct {
	pathway.Persons
	fail string

	mu     sync.Mutex
	failed bool
	reads  map[string]int
}

func (f *failingOnce) Get(ctx context.Context, pseudonym string) (*domain.Person, error) {
	f.mu.Lock()
	f.reads[pseudonym]++
	fail := pseudonym == f.fail && !f.failed
	f.failed = f.failed || fail
	f.mu.Unlock()
	if fail {
		return nil, errors.New("the store is away")
	}
	return f.Persons.Get(ctx, pseudonym)
}

// A check of the people touched that fails part way takes up again at the
// person it failed on: at national size each check reads and writes a
// person, and checking again those already done would never catch up.
func TestCheckTouchedResumesWhereItFailed(t *testing.T) {
	ctx := t.Context()
	db := devstacktest.Mongo(t, devstacktest.Start(t)).Database("pathway_check_test")
	devstacktest.EnsureIndexes(t, db, store.Indexes()...)
	ring, err := fieldcrypt.ParseKeyring(masterKeys)
	if err != nil {
		t.Fatal(err)
	}
	seeds := store.NewPersons(db, nil)
	persons := &failingOnce{
		Persons: seeds,
		fail:    "ps-b", reads: map[string]int{},
	}
	svc := pathway.NewService(pathway.Stores{Persons: persons, Timeline: store.NewTimeline(db), Keys: store.NewKeys(db), Audit: store.NewAudit(db)},
		ring, domain.DefaultRules(), time.Now)
	lesson := time.Now().Add(-time.Hour).Truncate(time.Second)
	var entries []*domain.Entry
	people := []string{"ps-a", "ps-b", "ps-c", "ps-d", "ps-e"}
	for _, id := range people {
		if err := seeds.Seed(ctx, &domain.Person{Pseudonym: id, Organisation: "org1", DisplayName: id, Since: lesson.AddDate(0, -1, 0)}); err != nil {
			t.Fatal(err)
		}
		entries = append(entries, &domain.Entry{EventID: "e-" + id, Person: id, Type: "percorsi.courses.v1.AttendanceRecorded", Producer: "courses",
			OccurredAt: lesson, RecordedAt: lesson, Attendance: &domain.Attendance{Status: "present", Minutes: 120, LessonMinutes: 120}})
	}
	if err := svc.Record(ctx, entries...); err != nil {
		t.Fatal(err)
	}
	if err := svc.CheckTouched(ctx); err == nil {
		t.Fatal("the check succeeded with the store away for ps-b")
	}
	if err := svc.CheckTouched(ctx); err != nil {
		t.Fatal(err)
	}
	if want := map[string]int{"ps-a": 1, "ps-b": 2, "ps-c": 1, "ps-d": 1, "ps-e": 1}; !maps.Equal(persons.reads, want) {
		t.Fatalf("reads %v, want %v: each person checked once, ps-b again after its failure", persons.reads, want)
	}
	for _, id := range people {
		p, err := persons.Persons.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !p.LastActivity.Equal(lesson) {
			t.Errorf("%s: last activity %v, want the lesson %v", id, p.LastActivity, lesson)
		}
	}
}

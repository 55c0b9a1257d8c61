package versioned_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/percorsi/percorsi/pkg/devstack"
	"github.com/percorsi/percorsi/pkg/devstack/devstacktest"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/mongostore"
	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/pkg/versioned"
)

// tally is the value under test: what a use case changes.
type tally struct {
	ID      string
	Version int64
	Owner   string
	Marks   []string
}

type tallyFields struct {
	Owner string   `bson:"owner"`
	Marks []string `bson:"marks"`
}

// contract is the suite every use of Collection relies on, run on the
// embedded stack with notablescan on, like the services' tests.
type contract struct {
	db       *mongo.Database
	notified atomic.Int64
}

func (c *contract) collection(name, versionField string) *versioned.Collection[tally, tallyFields] {
	return versioned.New(c.db.Collection(name), versioned.Config[tally, tallyFields]{
		What:   "tally",
		Fields: func(t *tally) tallyFields { return tallyFields{Owner: t.Owner, Marks: t.Marks} },
		Value: func(id string, v int64, f *tallyFields) *tally {
			return &tally{ID: id, Version: v, Owner: f.Owner, Marks: f.Marks}
		},
		VersionField: versionField,
		Notify:       func(string, any) { c.notified.Add(1) },
	})
}

func event(id string) []outbox.Message {
	return []outbox.Message{{ID: id, Topic: "t", Key: "k", Type: "test.Marked"}}
}

func mark(m string) versioned.Change[tally] {
	return func(t *tally) ([]outbox.Message, error) {
		t.Marks = append(t.Marks, m)
		return event(m), nil
	}
}

func setUp(t *testing.T) (*contract, *devstack.Stack) {
	t.Helper()
	stack := devstacktest.Start(t)
	db := devstacktest.Mongo(t, stack).Database("versioned")
	for _, name := range []string{"tallies", "revised"} {
		devstacktest.EnsureIndexes(t, db, mongostore.Index{Collection: name, Keys: outbox.IndexKeys()},
			mongostore.Index{Collection: name, Keys: bson.D{{Key: "owner", Value: 1}}})
	}
	return &contract{db: db}, stack
}

func TestContract(t *testing.T) {
	c, _ := setUp(t)
	for _, versionField := range []string{"", "revision"} {
		name := "tallies"
		if versionField != "" {
			name = "revised"
		}
		s := c.collection(name, versionField)
		t.Run("field="+versionField, func(t *testing.T) {
			ctx := t.Context()
			if err := s.Create(ctx, "a", &tally{Owner: "cpia"}, event("created")); err != nil {
				t.Fatal(err)
			}
			if err := s.Create(ctx, "a", &tally{Owner: "other"}, nil); errcode.Of(err) != errcode.Conflict {
				t.Fatalf("creating a taken id: %v, want Conflict", err)
			}
			got, err := s.Get(ctx, "a")
			if err != nil || got.Version != 1 || got.Owner != "cpia" {
				t.Fatalf("after create: %+v, %v", got, err)
			}
			if _, err := s.Get(ctx, "missing"); errcode.Of(err) != errcode.NotFound {
				t.Fatalf("get missing: %v, want NotFound", err)
			}
			if _, err := s.Update(ctx, "missing", mark("x")); errcode.Of(err) != errcode.NotFound {
				t.Fatalf("update missing: %v, want NotFound", err)
			}

			before := c.notified.Load()
			if _, err := s.Update(ctx, "a", mark("m1")); err != nil {
				t.Fatal(err)
			}
			if c.notified.Load() != before+1 {
				t.Fatal("an update with events did not notify")
			}
			unchanged, err := s.Update(ctx, "a", func(*tally) ([]outbox.Message, error) { return nil, versioned.ErrNoChange })
			if err != nil || unchanged.Version != 2 {
				t.Fatalf("ErrNoChange: %+v, %v", unchanged, err)
			}
			refused := errcode.New(errcode.Invalid, "marks", "refused")
			if _, err := s.Update(ctx, "a", func(*tally) ([]outbox.Message, error) { return nil, refused }); err != refused {
				t.Fatalf("a change's error: %v, want it unchanged", err)
			}

			got, err = s.Get(ctx, "a")
			if err != nil || got.Version != 2 || len(got.Marks) != 1 {
				t.Fatalf("after one update, a no-change and a refusal: %+v, %v", got, err)
			}
			var stored struct {
				outbox.Pending `bson:",inline"`
			}
			if err := s.Mongo().FindOne(ctx, bson.D{{Key: "_id", Value: "a"}}).Decode(&stored); err != nil {
				t.Fatal(err)
			}
			if !stored.Waiting || len(stored.Events) != 2 || stored.Events[0].ID != "created" || stored.Events[1].ID != "m1" {
				t.Fatalf("outbox after create and update: %+v", stored.Pending)
			}

			up, err := s.Upsert(ctx, "b", func(id string) *tally { return &tally{ID: id, Owner: "cpia"} }, mark("first"))
			if err != nil || up.Owner != "cpia" {
				t.Fatalf("upsert of a new id: %+v, %v", up, err)
			}
			if _, err := s.Upsert(ctx, "b", func(id string) *tally { return &tally{ID: id} }, mark("second")); err != nil {
				t.Fatal(err)
			}
			owned, err := s.Find(ctx, bson.D{{Key: "owner", Value: "cpia"}})
			if err != nil || len(owned) != 2 {
				t.Fatalf("find by owner: %d, %v", len(owned), err)
			}
			for _, o := range owned {
				if o.ID == "b" && (o.Version != 2 || len(o.Marks) != 2) {
					t.Fatalf("upserted twice: %+v", o)
				}
			}
			if ok, err := s.Put(ctx, "b", 1, &tally{Owner: "stale"}, nil); ok || err != nil {
				t.Fatalf("put over a stale version: %v, %v", ok, err)
			}
		})
	}
}

// Concurrent updates of one document from several clients, as from
// several processes, all land: none is applied to a stale read.
func TestConcurrentUpdatesAllLand(t *testing.T) {
	c, stack := setUp(t)
	other := &contract{db: devstacktest.Mongo(t, stack).Database("versioned")}
	clients := []*versioned.Collection[tally, tallyFields]{c.collection("tallies", ""), other.collection("tallies", "")}
	if err := clients[0].Create(t.Context(), "x", &tally{}, nil); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g, s := range clients {
		for w := range 3 {
			wg.Go(func() {
				for i := range 10 {
					if _, err := s.Update(t.Context(), "x", mark(fmt.Sprintf("%d-%d-%d", g, w, i))); err != nil {
						t.Error(err)
					}
				}
			})
		}
	}
	wg.Wait()
	got, err := clients[0].Get(t.Context(), "x")
	if err != nil || len(got.Marks) != 60 || got.Version != 61 {
		t.Fatalf("after 60 concurrent updates: %d marks, version %d, %v", len(got.Marks), got.Version, err)
	}
}

// A Legacy collection reads a document stored before versions were kept
// as at version 1 and writes over it once; Doc is what Create inserts.
func TestLegacyAndDoc(t *testing.T) {
	c, _ := setUp(t)
	s := versioned.New(c.db.Collection("tallies"), versioned.Config[tally, tallyFields]{
		What:   "tally",
		Fields: func(t *tally) tallyFields { return tallyFields{Owner: t.Owner, Marks: t.Marks} },
		Value: func(id string, v int64, f *tallyFields) *tally {
			return &tally{ID: id, Version: v, Owner: f.Owner, Marks: f.Marks}
		},
		Legacy: true,
	})
	ctx := t.Context()
	if _, err := s.Mongo().InsertOne(ctx, bson.D{{Key: "_id", Value: "old"}, {Key: "owner", Value: "cpia"}}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(ctx, "old"); err != nil || got.Version != 1 {
		t.Fatalf("a legacy document: %+v, %v", got, err)
	}
	if got, err := s.Update(ctx, "old", mark("m")); err != nil || got.Version != 1 || len(got.Marks) != 1 {
		t.Fatalf("update of a legacy document: %+v, %v", got, err)
	}
	if ok, err := s.Put(ctx, "old", 1, &tally{Owner: "stale"}, nil); ok || err != nil {
		t.Fatalf("put over the legacy version once written: %v, %v", ok, err)
	}
	d, err := s.Doc("new", &tally{Owner: "cpia"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Mongo().InsertOne(ctx, d); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(ctx, "new"); err != nil || got.Version != 1 || got.Owner != "cpia" {
		t.Fatalf("a document from Doc: %+v, %v", got, err)
	}
	for _, owner := range []string{"first", "second"} {
		if err := s.Replace(ctx, "replaced", &tally{Owner: owner}); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := s.Get(ctx, "replaced"); err != nil || got.Version != 2 || got.Owner != "second" {
		t.Fatalf("replaced twice: %+v, %v", got, err)
	}
}

var _ versioned.Store[tally] = (*versioned.Collection[tally, tallyFields])(nil)

func TestLoad(t *testing.T) {
	c, _ := setUp(t)
	s := c.collection("revised", "revision")
	values := []*tally{{ID: "l1", Owner: "cpia"}, {ID: "l2", Owner: "cpia", Marks: []string{"m"}}}
	var done int
	if err := s.Load(t.Context(), values, func(t *tally) string { return t.ID }, func(d, _ int) { done = d }); err != nil || done != 2 {
		t.Fatalf("load: %d done, %v", done, err)
	}
	got, err := s.Get(t.Context(), "l2")
	if err != nil || got.Version != 1 || got.Owner != "cpia" || len(got.Marks) != 1 {
		t.Fatalf("a loaded value: %+v, %v", got, err)
	}
	if _, err := s.Update(t.Context(), "l1", mark("after")); err != nil {
		t.Fatalf("updating a loaded value: %v", err)
	}
	var stored struct {
		outbox.Pending `bson:",inline"`
	}
	if err := s.Mongo().FindOne(t.Context(), bson.D{{Key: "_id", Value: "l2"}}).Decode(&stored); err != nil || stored.Waiting || len(stored.Events) != 0 {
		t.Fatalf("a loaded value's outbox: %+v, %v", stored.Pending, err)
	}
}

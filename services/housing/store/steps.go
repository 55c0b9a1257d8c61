package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/mongostore"
	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/pkg/versioned"
	"github.com/percorsi/percorsi/services/housing/domain"
)

// orphanAfter is how long a place may be held by a step that was never
// stored (the process died between the two inserts) before it is freed.
const orphanAfter = 2 * time.Minute

// Steps stores steps over four collections: places (one document per
// place taken), persons housed (one per person with an open step), steps
// (recorded at start) and step ends (recorded at the end).
type Steps struct {
	places, housed *mongo.Collection
	steps          *versioned.Collection[stepFields, stepFields]
	ends           *versioned.Collection[stepEndFields, stepEndFields]
	now            func() time.Time
}

// NewSteps returns the step store of db. notify is told of a write that
// left events to publish (the relay's Notify).
func NewSteps(db *mongo.Database, notify outbox.Notifier) *Steps {
	return &Steps{
		places: db.Collection(placesColl), housed: db.Collection(housedColl),
		steps: records[stepFields](db, stepsColl, "step", notify), ends: records[stepEndFields](db, stepEndsColl, "step end", notify),
		now: time.Now,
	}
}

// placeDoc is a place taken: its id is "<accommodation>#<n>", n below the
// accommodation's capacity, so the unique _id bounds the places taken.
type placeDoc struct {
	ID              string    `bson:"_id"`
	AccommodationID string    `bson:"accommodation_id"`
	StepID          string    `bson:"step_id"`
	Since           time.Time `bson:"since"`
}

// housedDoc says a person has an open step: their _id, the pseudonym, is
// unique, so a second chain of steps cannot start. Moves keep it (StepID is
// the chain's first step); an exit deletes it.
type housedDoc struct {
	Person string    `bson:"_id"`
	StepID string    `bson:"step_id"`
	Since  time.Time `bson:"since"`
}

type stepDoc = record[stepFields]

type stepFields struct {
	Person          string    `bson:"person"`
	Organisation    string    `bson:"organisation"`
	Kind            string    `bson:"kind"`
	AccommodationID string    `bson:"accommodation_id"`
	Place           string    `bson:"place"`
	Start           time.Time `bson:"start"`
	Previous        string    `bson:"previous,omitempty"`
	RecordedBy      string    `bson:"recorded_by"`
}

type stepEndDoc = record[stepEndFields]

type stepEndFields struct {
	Person       string    `bson:"person"`
	Organisation string    `bson:"organisation"`
	End          time.Time `bson:"end"`
	Reason       string    `bson:"reason"`
	Destination  string    `bson:"destination"`
	EndedBy      string    `bson:"ended_by"`
}

func step(d *stepDoc, end *stepEndDoc) domain.Step {
	f := &d.Fields
	s := domain.Step{
		ID: d.ID, Person: f.Person, Organisation: f.Organisation, Kind: domain.Kind(f.Kind), AccommodationID: f.AccommodationID,
		Start: utc(f.Start), Previous: f.Previous, RecordedBy: f.RecordedBy,
	}
	if end != nil {
		e := &end.Fields
		s.End, s.Reason, s.Destination, s.EndedBy = utc(e.End), domain.ExitReason(e.Reason), domain.Destination(e.Destination), e.EndedBy
	}
	return s
}

func (s *Steps) Start(ctx context.Context, st *domain.Step, capacity int, events []outbox.Message) (err error) {
	d := stepFields{
		Person: st.Person, Organisation: st.Organisation, Kind: string(st.Kind), AccommodationID: st.AccommodationID,
		Start: st.Start, Previous: st.Previous, RecordedBy: st.RecordedBy,
	}
	// A move continues the person's chain; a first step opens it.
	opens := st.Previous == ""
	if opens {
		if err := s.open(ctx, st); err != nil {
			return err
		}
	}
	undo := func(err error) error {
		if d.Place != "" {
			err = errors.Join(err, s.free(ctx, d.Place, st.ID))
		}
		if opens {
			err = errors.Join(err, s.close(ctx, st.Person, st.ID))
		}
		return err
	}
	if st.AccommodationID != "" {
		if d.Place, err = s.take(ctx, st, capacity); err != nil {
			return undo(err)
		}
	}
	if err := create(ctx, s.steps, st.ID, d, events, "id", "a step with this id already exists"); err != nil {
		return undo(err)
	}
	return nil
}

// open records that st's person now has an open step. A record left by a
// start that died half-way (no open step behind it, and old) is cleared.
func (s *Steps) open(ctx context.Context, st *domain.Step) error {
	for attempt := range 2 {
		err := insert(ctx, s.housed, housedDoc{Person: st.Person, StepID: st.ID, Since: s.now()},
			"person", "the person already has an open housing step: move or end it")
		if errcode.Of(err) != errcode.Conflict || attempt == 1 {
			return err
		}
		held, getErr := get[housedDoc](ctx, s.housed, st.Person, "person housed")
		if getErr != nil {
			return errors.Join(err, getErr)
		}
		if held.StepID == st.ID {
			return nil // this very start, retried
		}
		steps, findErr := s.ByPerson(ctx, st.Person)
		if findErr != nil {
			return errors.Join(err, findErr)
		}
		if slices.ContainsFunc(steps, func(x domain.Step) bool { return x.Open() }) || s.now().Sub(held.Since) < orphanAfter {
			return err
		}
		if closeErr := s.close(ctx, st.Person, held.StepID); closeErr != nil {
			return errors.Join(err, closeErr)
		}
	}
	return nil
}

// close records that person has no open step any more; chain names the
// record to remove, "" for whichever there is.
func (s *Steps) close(ctx context.Context, person, chain string) error {
	filter := bson.D{{Key: "_id", Value: person}}
	if chain != "" {
		filter = append(filter, bson.E{Key: "step_id", Value: chain})
	}
	if _, err := s.housed.DeleteOne(ctx, filter); err != nil {
		return fmt.Errorf("close the housing of a person: %w", mongostore.Translate(err))
	}
	return nil
}

// take takes a free place of the step's accommodation and returns its id.
// Each place that looks free is tried in turn: a racing admission that took
// it first makes the insert fail on the unique id. When none is left,
// places held by steps that ended (their release failed) or were never
// stored are freed and the search runs once more.
func (s *Steps) take(ctx context.Context, st *domain.Step, capacity int) (string, error) {
	for attempt := range 2 {
		taken, err := s.placesOf(ctx, st.AccommodationID)
		if err != nil {
			return "", err
		}
		held := map[string]bool{}
		for _, p := range taken {
			held[p.ID] = true
		}
		for n := range capacity {
			id := st.AccommodationID + "#" + strconv.Itoa(n)
			if held[id] {
				continue
			}
			err := insert(ctx, s.places, placeDoc{ID: id, AccommodationID: st.AccommodationID, StepID: st.ID, Since: s.now()}, "", "")
			if err == nil {
				return id, nil
			}
			if errcode.Of(err) != errcode.Conflict {
				return "", fmt.Errorf("take a place in %s: %w", st.AccommodationID, err)
			}
		}
		// A racing request for this very step took a place first.
		mine, err := list[placeDoc](ctx, s.places, bson.D{{Key: "step_id", Value: st.ID}}, nil, "places")
		if err != nil {
			return "", err
		}
		if len(mine) > 0 {
			return "", errcode.New(errcode.Conflict, "id", "this step is being started by another request")
		}
		if attempt == 0 {
			if freed, err := s.reclaim(ctx, taken); err != nil || freed == 0 {
				return "", errors.Join(err, errcode.New(errcode.Conflict, "accommodation_id", "no free place in this accommodation"))
			}
		}
	}
	return "", errcode.New(errcode.Conflict, "accommodation_id", "no free place in this accommodation")
}

// reclaim frees the places whose step has ended or was never stored, and
// returns how many it freed.
func (s *Steps) reclaim(ctx context.Context, taken []placeDoc) (int, error) {
	ids := make([]string, len(taken))
	for i, p := range taken {
		ids[i] = p.StepID
	}
	steps, err := byIDs(ctx, s.steps.Mongo(), ids, func(d *stepDoc) string { return d.ID })
	if err != nil {
		return 0, err
	}
	ends, err := byIDs(ctx, s.ends.Mongo(), ids, func(d *stepEndDoc) string { return d.ID })
	if err != nil {
		return 0, err
	}
	freed := 0
	for _, p := range taken {
		_, stored := steps[p.StepID]
		_, ended := ends[p.StepID]
		if ended || (!stored && s.now().Sub(p.Since) > orphanAfter) {
			if err := s.free(ctx, p.ID, p.StepID); err != nil {
				return freed, err
			}
			freed++
		}
	}
	return freed, nil
}

// free releases a place if step still holds it.
func (s *Steps) free(ctx context.Context, place, step string) error {
	if _, err := s.places.DeleteOne(ctx, bson.D{{Key: "_id", Value: place}, {Key: "step_id", Value: step}}); err != nil {
		return fmt.Errorf("free place %s: %w", place, mongostore.Translate(err))
	}
	return nil
}

func (s *Steps) placesOf(ctx context.Context, acc string) ([]placeDoc, error) {
	return list[placeDoc](ctx, s.places, bson.D{{Key: "accommodation_id", Value: acc}}, nil, "places")
}

func (s *Steps) End(ctx context.Context, st *domain.Step, exit bool, events []outbox.Message) error {
	d, err := get[stepDoc](ctx, s.steps.Mongo(), st.ID, "step")
	if err != nil {
		return err
	}
	end := stepEndFields{
		Person: st.Person, Organisation: st.Organisation, End: st.End, Reason: string(st.Reason),
		Destination: string(st.Destination), EndedBy: st.EndedBy,
	}
	stored := create(ctx, s.ends, st.ID, end, events, "step_id", "the step has already ended")
	if stored != nil && errcode.Of(stored) != errcode.Conflict {
		return stored
	}
	// Freeing the place after the end is stored; if it fails, a retry or
	// the next admission that finds the accommodation full frees it.
	if d.Fields.Place != "" {
		if err := s.free(ctx, d.Fields.Place, st.ID); err != nil {
			return errors.Join(stored, err)
		}
	}
	if exit {
		if err := s.close(ctx, st.Person, ""); err != nil {
			return errors.Join(stored, err)
		}
	}
	return stored
}

func (s *Steps) Get(ctx context.Context, id string) (*domain.Step, error) {
	d, err := get[stepDoc](ctx, s.steps.Mongo(), id, "step")
	if err != nil {
		return nil, err
	}
	var e *stepEndDoc
	ends, err := byIDs(ctx, s.ends.Mongo(), []string{id}, func(d *stepEndDoc) string { return d.ID })
	if err != nil {
		return nil, err
	}
	if end, ok := ends[id]; ok {
		e = &end
	}
	st := step(d, e)
	return &st, nil
}

func (s *Steps) ByPerson(ctx context.Context, person string) ([]domain.Step, error) {
	return s.find(ctx, bson.D{{Key: "person", Value: person}})
}

func (s *Steps) ByOrganisation(ctx context.Context, org string) ([]domain.Step, error) {
	return s.find(ctx, bson.D{{Key: "organisation", Value: org}})
}

func (s *Steps) All(ctx context.Context) ([]domain.Step, error) {
	return s.find(ctx, bson.D{})
}

func (s *Steps) OpenIn(ctx context.Context, acc string) ([]domain.Step, error) {
	taken, err := s.placesOf(ctx, acc)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(taken))
	for i, p := range taken {
		ids[i] = p.StepID
	}
	steps, err := s.find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}})
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(steps, func(st domain.Step) bool { return !st.Open() }), nil
}

// find lists the steps matching filter with their ends, oldest first.
func (s *Steps) find(ctx context.Context, filter bson.D) ([]domain.Step, error) {
	ds, err := list[stepDoc](ctx, s.steps.Mongo(), filter, bson.D{{Key: "start", Value: 1}, {Key: "_id", Value: 1}}, "steps")
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(ds))
	for i := range ds {
		ids[i] = ds[i].ID
	}
	ends, err := byIDs(ctx, s.ends.Mongo(), ids, func(d *stepEndDoc) string { return d.ID })
	if err != nil {
		return nil, err
	}
	out := make([]domain.Step, len(ds))
	for i := range ds {
		var e *stepEndDoc
		if end, ok := ends[ds[i].ID]; ok {
			e = &end
		}
		out[i] = step(&ds[i], e)
	}
	return out, nil
}

func (s *Steps) Occupied(ctx context.Context) (map[string]int, error) {
	cur, err := s.places.Aggregate(ctx, mongo.Pipeline{
		{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$accommodation_id"}, {Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}}}}},
	})
	if err != nil {
		return nil, fmt.Errorf("count places taken: %w", mongostore.Translate(err))
	}
	var rows []struct {
		ID string `bson:"_id"`
		N  int    `bson:"n"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return nil, fmt.Errorf("count places taken: %w", mongostore.Translate(err))
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.ID] = r.N
	}
	return out, nil
}

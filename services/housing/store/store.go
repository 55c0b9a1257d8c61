// Package store is the housing service's MongoDB adapter. Its bson structs
// are its own; the domain never sees them.
//
// Places are the hard part. FerretDB v1 applies a conditional update as a
// read followed by a write, so "decrement free places if any are left" can
// admit more people than there are places when requests race (measured:
// six admitted into three places). A unique index is enforced atomically
// by both FerretDB and MongoDB, so each open step holds one numbered place
// of its accommodation in an indexed, unique "place" field, and admitting
// a person is one insert that fails on a taken place: never more open
// steps than places, whatever the store, and the step, its place and its
// events are one single-document write.
package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/mongostore"
	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/services/housing/domain"
)

// Collections.
const (
	accommodationsColl = "accommodations"
	stepsColl          = "steps"
	rentSupportsColl   = "rent_supports"
	offersColl         = "offers"
	profilesColl       = "profiles"
	proposalsColl      = "proposals"
)

// Indexes returns what the service needs at start.
func Indexes() []mongostore.Index {
	return []mongostore.Index{
		{Collection: accommodationsColl, Keys: bson.D{{Key: "organisation", Value: 1}}},
		{Collection: stepsColl, Keys: bson.D{{Key: "place", Value: 1}}, Unique: true},
		{Collection: stepsColl, Keys: bson.D{{Key: "person", Value: 1}, {Key: "start", Value: 1}}},
		{Collection: stepsColl, Keys: bson.D{{Key: "organisation", Value: 1}, {Key: "start", Value: 1}}},
		{Collection: stepsColl, Keys: bson.D{{Key: "ended", Value: 1}, {Key: "accommodation_id", Value: 1}}},
		{Collection: stepsColl, Keys: outbox.IndexKeys()},
		{Collection: rentSupportsColl, Keys: bson.D{{Key: "person", Value: 1}}},
		{Collection: rentSupportsColl, Keys: outbox.IndexKeys()},
		{Collection: offersColl, Keys: bson.D{{Key: "status", Value: 1}, {Key: "territory", Value: 1}}},
		{Collection: proposalsColl, Keys: bson.D{{Key: "person", Value: 1}}},
		{Collection: proposalsColl, Keys: outbox.IndexKeys()},
	}
}

// OutboxSources are the collections whose documents carry pending events.
func OutboxSources(db *mongo.Database) []*mongo.Collection {
	return []*mongo.Collection{db.Collection(stepsColl), db.Collection(rentSupportsColl), db.Collection(proposalsColl)}
}

// Events derives the events of each stored fact; the service provides it.
type Events interface {
	StepStarted(ctx context.Context, s *domain.Step) ([]outbox.Message, error)
	// StepEnded gives HousingStepEnded, and HousingExited too on an exit.
	StepEnded(ctx context.Context, s *domain.Step, exit bool) ([]outbox.Message, error)
	RentSupportGranted(ctx context.Context, r *domain.RentSupport) ([]outbox.Message, error)
	OfferProposed(ctx context.Context, p *domain.Proposal, o *domain.Offer) ([]outbox.Message, error)
	LeaseSigned(ctx context.Context, p *domain.Proposal) ([]outbox.Message, error)
}

func byID(id string) bson.D { return bson.D{{Key: "_id", Value: id}} }

func get[D any](ctx context.Context, c *mongo.Collection, id, what string) (*D, error) {
	var d D
	if err := c.FindOne(ctx, byID(id)).Decode(&d); err != nil {
		return nil, fmt.Errorf("%s %s: %w", what, id, mongostore.Translate(err))
	}
	return &d, nil
}

func list[D any](ctx context.Context, c *mongo.Collection, filter bson.D, sort bson.D, what string) ([]D, error) {
	cur, err := c.Find(ctx, filter, options.Find().SetSort(sort))
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", what, mongostore.Translate(err))
	}
	var ds []D
	if err := cur.All(ctx, &ds); err != nil {
		return nil, fmt.Errorf("read %s: %w", what, mongostore.Translate(err))
	}
	return ds, nil
}

func insert(ctx context.Context, c *mongo.Collection, doc any, id, what string) error {
	if _, err := c.InsertOne(ctx, doc); err != nil {
		err = mongostore.Translate(err)
		if errcode.Of(err) == errcode.Conflict {
			return &errcode.Error{Code: errcode.Conflict, Field: "id", Message: what + " already exists", Err: err}
		}
		return fmt.Errorf("create %s %s: %w", what, id, err)
	}
	return nil
}

// utc reads a stored time back in UTC (the driver returns local time).
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC()
}

// Accommodations implements domain.Accommodations.
type Accommodations struct{ c *mongo.Collection }

// NewAccommodations returns the accommodation store of db.
func NewAccommodations(db *mongo.Database) *Accommodations {
	return &Accommodations{db.Collection(accommodationsColl)}
}

type accommodationDoc struct {
	ID           string    `bson:"_id"`
	Organisation string    `bson:"organisation"`
	Name         string    `bson:"name"`
	Kind         string    `bson:"kind"`
	Territory    string    `bson:"territory"`
	Address      string    `bson:"address"`
	Capacity     int       `bson:"capacity"`
	CreatedAt    time.Time `bson:"created_at"`
}

func (d *accommodationDoc) domain() domain.Accommodation {
	return domain.Accommodation{
		ID: d.ID, Organisation: d.Organisation, Name: d.Name, Kind: domain.Kind(d.Kind), Territory: d.Territory,
		Address: d.Address, Capacity: d.Capacity, CreatedAt: utc(d.CreatedAt),
	}
}

func (s *Accommodations) Create(ctx context.Context, a *domain.Accommodation) error {
	return insert(ctx, s.c, accommodationDoc{
		ID: a.ID, Organisation: a.Organisation, Name: a.Name, Kind: string(a.Kind), Territory: a.Territory,
		Address: a.Address, Capacity: a.Capacity, CreatedAt: a.CreatedAt,
	}, a.ID, "accommodation")
}

func (s *Accommodations) Get(ctx context.Context, id string) (*domain.Accommodation, error) {
	d, err := get[accommodationDoc](ctx, s.c, id, "accommodation")
	if err != nil {
		return nil, err
	}
	a := d.domain()
	return &a, nil
}

func (s *Accommodations) ByOrganisation(ctx context.Context, org string) ([]domain.Accommodation, error) {
	return s.find(ctx, bson.D{{Key: "organisation", Value: org}})
}

func (s *Accommodations) All(ctx context.Context) ([]domain.Accommodation, error) {
	return s.find(ctx, bson.D{})
}

func (s *Accommodations) find(ctx context.Context, filter bson.D) ([]domain.Accommodation, error) {
	ds, err := list[accommodationDoc](ctx, s.c, filter, bson.D{{Key: "_id", Value: 1}}, "accommodations")
	if err != nil {
		return nil, err
	}
	out := make([]domain.Accommodation, len(ds))
	for i := range ds {
		out[i] = ds[i].domain()
	}
	return out, nil
}

// Steps implements domain.Steps.
type Steps struct {
	c         *mongo.Collection
	events    Events
	onPending func()
}

// NewSteps returns the step store of db. onPending is called after a write
// that left events to publish (the relay's Notify).
func NewSteps(db *mongo.Database, events Events, onPending func()) *Steps {
	return &Steps{c: db.Collection(stepsColl), events: events, onPending: onPending}
}

type stepDoc struct {
	ID              string    `bson:"_id"`
	Person          string    `bson:"person"`
	Organisation    string    `bson:"organisation"`
	Kind            string    `bson:"kind"`
	AccommodationID string    `bson:"accommodation_id"`
	Start           time.Time `bson:"start"`
	Previous        string    `bson:"previous,omitempty"`
	RecordedBy      string    `bson:"recorded_by"`
	// Place is "<accommodation>#<n>" while the step holds place n, else a
	// value unique to the step: the unique index on it is what keeps an
	// accommodation within its capacity.
	Place          string    `bson:"place"`
	Ended          bool      `bson:"ended"`
	End            time.Time `bson:"end,omitempty"`
	Reason         string    `bson:"reason,omitempty"`
	Destination    string    `bson:"destination,omitempty"`
	EndedBy        string    `bson:"ended_by,omitempty"`
	outbox.Pending `bson:",inline"`
}

func (d *stepDoc) domain() domain.Step {
	return domain.Step{
		ID: d.ID, Person: d.Person, Organisation: d.Organisation, Kind: domain.Kind(d.Kind), AccommodationID: d.AccommodationID,
		Start: utc(d.Start), Previous: d.Previous, RecordedBy: d.RecordedBy, End: utc(d.End),
		Reason: domain.ExitReason(d.Reason), Destination: domain.Destination(d.Destination), EndedBy: d.EndedBy,
	}
}

func placeOf(acc string, n int) string { return acc + "#" + strconv.Itoa(n) }

func (s *Steps) Start(ctx context.Context, st *domain.Step, capacity int) error {
	msgs, err := s.events.StepStarted(ctx, st)
	if err != nil {
		return err
	}
	d := stepDoc{
		ID: st.ID, Person: st.Person, Organisation: st.Organisation, Kind: string(st.Kind), AccommodationID: st.AccommodationID,
		Start: st.Start, Previous: st.Previous, RecordedBy: st.RecordedBy, Pending: outbox.NewPending(msgs),
	}
	if st.AccommodationID == "" {
		d.Place = "none:" + st.ID
		if err := insert(ctx, s.c, d, st.ID, "step"); err != nil {
			return err
		}
		s.onPending()
		return nil
	}
	taken, err := s.taken(ctx, st.AccommodationID)
	if err != nil {
		return err
	}
	// Try each place that looked free; a racing admission that took it
	// first makes the insert fail on the unique place, and the next one is
	// tried. Capacity bounds the places, so it bounds the open steps.
	for n := range capacity {
		d.Place = placeOf(st.AccommodationID, n)
		if taken[d.Place] {
			continue
		}
		_, err := s.c.InsertOne(ctx, d)
		if err == nil {
			s.onPending()
			return nil
		}
		if err = mongostore.Translate(err); errcode.Of(err) != errcode.Conflict {
			return fmt.Errorf("start step %s: %w", st.ID, err)
		}
		if _, err := s.Get(ctx, st.ID); err == nil {
			return errcode.New(errcode.Conflict, "id", "a step with this id already exists")
		}
	}
	return errcode.New(errcode.Conflict, "accommodation_id", "no free place in this accommodation")
}

// taken returns the places held by the accommodation's open steps.
func (s *Steps) taken(ctx context.Context, acc string) (map[string]bool, error) {
	cur, err := s.c.Find(ctx,
		bson.D{{Key: "ended", Value: false}, {Key: "accommodation_id", Value: acc}},
		options.Find().SetProjection(bson.D{{Key: "place", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("places of %s: %w", acc, mongostore.Translate(err))
	}
	var ds []struct {
		Place string `bson:"place"`
	}
	if err := cur.All(ctx, &ds); err != nil {
		return nil, fmt.Errorf("places of %s: %w", acc, mongostore.Translate(err))
	}
	taken := make(map[string]bool, len(ds))
	for _, d := range ds {
		taken[d.Place] = true
	}
	return taken, nil
}

func (s *Steps) End(ctx context.Context, st *domain.Step, exit bool) error {
	msgs, err := s.events.StepEnded(ctx, st, exit)
	if err != nil {
		return err
	}
	update := outbox.Append(bson.D{{Key: "$set", Value: bson.D{
		{Key: "ended", Value: true},
		{Key: "end", Value: st.End},
		{Key: "reason", Value: string(st.Reason)},
		{Key: "destination", Value: string(st.Destination)},
		{Key: "ended_by", Value: st.EndedBy},
		{Key: "place", Value: "ended:" + st.ID}, // frees the place
	}}}, msgs)
	res, err := s.c.UpdateOne(ctx, bson.D{{Key: "_id", Value: st.ID}, {Key: "ended", Value: false}}, update)
	if err != nil {
		return fmt.Errorf("end step %s: %w", st.ID, mongostore.Translate(err))
	}
	if res.MatchedCount == 0 {
		return errcode.New(errcode.Conflict, "step_id", "the step has already ended")
	}
	s.onPending()
	return nil
}

func (s *Steps) Get(ctx context.Context, id string) (*domain.Step, error) {
	d, err := get[stepDoc](ctx, s.c, id, "step")
	if err != nil {
		return nil, err
	}
	st := d.domain()
	return &st, nil
}

func (s *Steps) ByPerson(ctx context.Context, person string) ([]domain.Step, error) {
	return s.find(ctx, bson.D{{Key: "person", Value: person}})
}

func (s *Steps) ByOrganisation(ctx context.Context, org string) ([]domain.Step, error) {
	return s.find(ctx, bson.D{{Key: "organisation", Value: org}})
}

func (s *Steps) OpenIn(ctx context.Context, acc string) ([]domain.Step, error) {
	return s.find(ctx, bson.D{{Key: "ended", Value: false}, {Key: "accommodation_id", Value: acc}})
}

func (s *Steps) find(ctx context.Context, filter bson.D) ([]domain.Step, error) {
	ds, err := list[stepDoc](ctx, s.c, filter, bson.D{{Key: "start", Value: 1}, {Key: "_id", Value: 1}}, "steps")
	if err != nil {
		return nil, err
	}
	out := make([]domain.Step, len(ds))
	for i := range ds {
		out[i] = ds[i].domain()
	}
	return out, nil
}

func (s *Steps) Occupied(ctx context.Context) (map[string]int, error) {
	cur, err := s.c.Aggregate(ctx, mongo.Pipeline{
		{{Key: "$match", Value: bson.D{{Key: "ended", Value: false}, {Key: "accommodation_id", Value: bson.D{{Key: "$ne", Value: ""}}}}}},
		{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$accommodation_id"}, {Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}}}}},
	})
	if err != nil {
		return nil, fmt.Errorf("count occupied places: %w", mongostore.Translate(err))
	}
	var rows []struct {
		ID string `bson:"_id"`
		N  int    `bson:"n"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return nil, fmt.Errorf("count occupied places: %w", mongostore.Translate(err))
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.ID] = r.N
	}
	return out, nil
}

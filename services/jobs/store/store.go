// Package store is the jobs service's MongoDB adapter: one
// versioned.Collection per collection, its bson structs and its queries.
// The domain never sees the bson structs. The use cases build the events of
// each write; the collection stores them in that same write.
package store

import (
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/percorsi/percorsi/pkg/mongostore"
	"github.com/percorsi/percorsi/pkg/outbox"
)

// Collections.
const (
	profilesColl   = "profiles"
	employersColl  = "employers"
	vacanciesColl  = "vacancies"
	proposalsColl  = "proposals"
	placementsColl = "placements"
)

// Indexes returns what the service needs at start: every query below uses
// one of them on a real MongoDB.
func Indexes() []mongostore.Index {
	idx := []mongostore.Index{
		{Collection: profilesColl, Keys: bson.D{{Key: "organisation", Value: 1}, {Key: "active", Value: 1}}},
		{Collection: vacanciesColl, Keys: bson.D{{Key: "status", Value: 1}, {Key: "closes_on", Value: 1}}},
		{Collection: vacanciesColl, Keys: bson.D{{Key: "employer_id", Value: 1}}},
		{Collection: proposalsColl, Keys: bson.D{{Key: "vacancy_id", Value: 1}, {Key: "person", Value: 1}}, Unique: true},
		{Collection: placementsColl, Keys: bson.D{{Key: "proposal_id", Value: 1}}, Unique: true},
		{Collection: placementsColl, Keys: bson.D{{Key: "organisation", Value: 1}}},
		{Collection: placementsColl, Keys: bson.D{{Key: "employer_id", Value: 1}}},
		{Collection: placementsColl, Keys: bson.D{{Key: "status", Value: 1}, {Key: "unconfirmed_raised", Value: 1}, {Key: "confirm_due", Value: 1}}},
	}
	for _, c := range []string{profilesColl, vacanciesColl, proposalsColl, placementsColl} {
		idx = append(idx, mongostore.Index{Collection: c, Keys: outbox.IndexKeys()})
	}
	return idx
}

// OutboxSources are the collections whose documents carry pending events.
func OutboxSources(db *mongo.Database) []*mongo.Collection {
	return []*mongo.Collection{
		db.Collection(profilesColl), db.Collection(vacanciesColl),
		db.Collection(proposalsColl), db.Collection(placementsColl),
	}
}

// Stores are the service's collections.
type Stores struct {
	Profiles   *Profiles
	Employers  *Employers
	Vacancies  *Vacancies
	Proposals  *Proposals
	Placements *Placements
}

// New returns the stores of db; notify is told of every write that left
// events to publish (the relay's Notify).
func New(db *mongo.Database, notify outbox.Notifier) Stores {
	return Stores{
		Profiles:   newProfiles(db, notify),
		Employers:  &Employers{db.Collection(employersColl)},
		Vacancies:  newVacancies(db, notify),
		Proposals:  newProposals(db, notify),
		Placements: newPlacements(db, notify),
	}
}

func byID(id string) bson.D { return bson.D{{Key: "_id", Value: id}} }

// utc reads back a stored time in UTC; the zero time stays zero.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

// Package store is the training service's MongoDB adapter: one
// versioned.Collection per collection, with its queries. Its bson structs
// are its own; the domain never sees them. What a request reads is found by
// _id (course, edition with its roster, lesson, register) or by an indexed
// key (an edition's lessons and registers, a trainer's editions).
package store

import (
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/percorsi/percorsi/pkg/mongostore"
	"github.com/percorsi/percorsi/pkg/outbox"
)

// Collections.
const (
	coursesColl   = "courses"
	editionsColl  = "editions"
	lessonsColl   = "lessons"
	registersColl = "registers"
)

// Indexes returns what the service needs at start.
func Indexes() []mongostore.Index {
	return []mongostore.Index{
		{Collection: editionsColl, Keys: outbox.IndexKeys()},
		{Collection: registersColl, Keys: outbox.IndexKeys()},
		{Collection: editionsColl, Keys: bson.D{{Key: "trainers", Value: 1}}},
		{Collection: editionsColl, Keys: bson.D{{Key: "organisation", Value: 1}}},
		{Collection: lessonsColl, Keys: bson.D{{Key: "edition_id", Value: 1}, {Key: "start", Value: 1}}},
		{Collection: registersColl, Keys: bson.D{{Key: "edition_id", Value: 1}, {Key: "lesson_start", Value: 1}}},
	}
}

// OutboxSources are the collections whose documents carry pending events.
func OutboxSources(db *mongo.Database) []*mongo.Collection {
	return []*mongo.Collection{db.Collection(editionsColl), db.Collection(registersColl)}
}

// Package store is the training service's MongoDB adapter. Its bson structs
// are its own; the domain never sees them. What a request reads is found by
// _id (course, edition with its roster, lesson, register) or by an indexed
// key (an edition's lessons and registers, a trainer's editions).
package store

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

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

func byID(id string) bson.D { return bson.D{{Key: "_id", Value: id}} }

func get[D any](ctx context.Context, c *mongo.Collection, id, what string) (*D, error) {
	var d D
	if err := c.FindOne(ctx, byID(id)).Decode(&d); err != nil {
		return nil, fmt.Errorf("%s %s: %w", what, id, mongostore.Translate(err))
	}
	return &d, nil
}

func find[D any](ctx context.Context, c *mongo.Collection, filter bson.D, sort bson.D, what string) ([]D, error) {
	opts := options.Find()
	if len(sort) > 0 {
		opts.SetSort(sort)
	}
	cur, err := c.Find(ctx, filter, opts)
	if err != nil {
		return nil, fmt.Errorf("find %s: %w", what, mongostore.Translate(err))
	}
	var ds []D
	if err := cur.All(ctx, &ds); err != nil {
		return nil, fmt.Errorf("find %s: %w", what, mongostore.Translate(err))
	}
	return ds, nil
}

// Package store is the courses service's MongoDB adapter: one
// versioned.Collection per collection, with its queries. Its bson structs
// are its own; the domain never sees them. What a teacher's request reads
// is found by _id (lesson, class with its roster and figures, register) or
// by an indexed key (today's lessons of her classes).
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
	coursesColl      = "courses"
	classesColl      = "classes"
	lessonsColl      = "lessons"
	registersColl    = "registers"
	assessmentsColl  = "assessments"
	certificatesColl = "certificates"
)

// Indexes returns what the service needs at start.
func Indexes() []mongostore.Index {
	var idx []mongostore.Index
	for _, c := range []string{classesColl, registersColl, assessmentsColl, certificatesColl} {
		idx = append(idx, mongostore.Index{Collection: c, Keys: outbox.IndexKeys()})
	}
	return append(idx,
		mongostore.Index{Collection: classesColl, Keys: bson.D{{Key: "teachers", Value: 1}}},
		mongostore.Index{Collection: classesColl, Keys: bson.D{{Key: "organisation", Value: 1}}},
		mongostore.Index{Collection: lessonsColl, Keys: bson.D{{Key: "class_id", Value: 1}, {Key: "start", Value: 1}}},
		mongostore.Index{Collection: registersColl, Keys: bson.D{{Key: "class_id", Value: 1}}},
		mongostore.Index{Collection: assessmentsColl, Keys: bson.D{{Key: "class_id", Value: 1}, {Key: "person", Value: 1}}},
	)
}

// OutboxSources are the collections whose documents carry pending events.
func OutboxSources(db *mongo.Database) []*mongo.Collection {
	return []*mongo.Collection{
		db.Collection(registersColl), db.Collection(classesColl),
		db.Collection(assessmentsColl), db.Collection(certificatesColl),
	}
}

// project reads only the _id and field of every document into Ds: at
// start, over every document.
func project[D any](ctx context.Context, c *mongo.Collection, field string) ([]D, error) {
	cur, err := c.Find(ctx, bson.D{}, options.Find().SetProjection(bson.D{{Key: field, Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("find %s: %w", c.Name(), mongostore.Translate(err))
	}
	var ds []D
	if err := cur.All(ctx, &ds); err != nil {
		return nil, fmt.Errorf("read %s: %w", c.Name(), mongostore.Translate(err))
	}
	return ds, nil
}

// Package store is the courses service's MongoDB adapter. Its bson structs
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

	"github.com/percorsi/percorsi/pkg/errcode"
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

func byID(id string) bson.D { return bson.D{{Key: "_id", Value: id}} }

func get[D any](ctx context.Context, c *mongo.Collection, id, what string) (*D, error) {
	var d D
	if err := c.FindOne(ctx, byID(id)).Decode(&d); err != nil {
		return nil, fmt.Errorf("%s %s: %w", what, id, mongostore.Translate(err))
	}
	return &d, nil
}

func find[D any](ctx context.Context, c *mongo.Collection, filter bson.D, opts *options.FindOptionsBuilder, what string) ([]D, error) {
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

// fields turns a struct into the document of a $set.
func fields(v any) (bson.D, error) {
	b, err := bson.Marshal(v)
	if err != nil {
		return nil, err
	}
	var d bson.D
	return d, bson.Unmarshal(b, &d)
}

// putFields creates or replaces the fields of a document, leaving the
// outbox of an existing one alone (the relay may be publishing it).
func putFields(ctx context.Context, c *mongo.Collection, id string, doc any, what string) error {
	set, err := fields(doc)
	if err != nil {
		return fmt.Errorf("put %s %s: %w", what, id, err)
	}
	update := bson.D{{Key: "$set", Value: set}}
	if _, err := c.UpdateOne(ctx, byID(id), update, options.UpdateOne().SetUpsert(true)); err != nil {
		return fmt.Errorf("put %s %s: %w", what, id, mongostore.Translate(err))
	}
	return nil
}

// versioned writes one document's change when its version is still the one
// read, with the change's events. The update is conditioned on the version
// and, like the relay's clears, applied atomically to the one document by
// MongoDB and by the patched embedded store: a change made since the read,
// by this process or another, makes the write miss and be retried rather
// than be overwritten.
type versioned struct {
	c *mongo.Collection
}

// write sets doc's fields (which carry version+1) on the document still at
// version, appending msgs to its outbox. It reports whether it matched.
func (v *versioned) write(ctx context.Context, id string, version int64, versionField string, doc any, msgs []outbox.Message) (bool, error) {
	set, err := fields(doc)
	if err != nil {
		return false, err
	}
	update := outbox.Append(bson.D{{Key: "$set", Value: set}}, msgs)
	res, err := v.c.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: versionField, Value: version}}, update)
	if err != nil {
		return false, mongostore.Translate(err)
	}
	return res.MatchedCount == 1, nil
}

// errBusy is returned when a document kept changing under an update.
func errBusy(what, id string) error {
	return errcode.New(errcode.Unavailable, "", "%s %s kept changing; retry", what, id)
}

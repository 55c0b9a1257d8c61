package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/percorsi/percorsi/pkg/mongostore"
	"github.com/percorsi/percorsi/services/pathway/domain"
)

// Keys implements domain.Keys in a collection of its own, apart from the
// data it opens: in production it can live in another database or a KMS.
type Keys struct{ c *mongo.Collection }

// NewKeys returns the key store of db.
func NewKeys(db *mongo.Database) *Keys { return &Keys{db.Collection(keysColl)} }

type keyDoc struct {
	Pseudonym string `bson:"_id"`
	KeyID     string `bson:"key_id"`
	Key       []byte `bson:"key"`
}

func (s *Keys) Put(ctx context.Context, pseudonym string, k domain.WrappedKey) error {
	_, err := s.c.ReplaceOne(ctx, bson.D{{Key: "_id", Value: pseudonym}}, keyDoc{pseudonym, k.KeyID, k.Key}, options.Replace().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("put key of %s: %w", pseudonym, mongostore.Translate(err))
	}
	return nil
}

func (s *Keys) Get(ctx context.Context, pseudonym string) (domain.WrappedKey, error) {
	var d keyDoc
	if err := s.c.FindOne(ctx, bson.D{{Key: "_id", Value: pseudonym}}).Decode(&d); err != nil {
		return domain.WrappedKey{}, fmt.Errorf("key of %s: %w", pseudonym, mongostore.Translate(err))
	}
	return domain.WrappedKey{KeyID: d.KeyID, Key: d.Key}, nil
}

func (s *Keys) Delete(ctx context.Context, pseudonym string) error {
	if _, err := s.c.DeleteOne(ctx, bson.D{{Key: "_id", Value: pseudonym}}); err != nil {
		return fmt.Errorf("delete key of %s: %w", pseudonym, mongostore.Translate(err))
	}
	return nil
}

func (s *Keys) All(ctx context.Context) (map[string]domain.WrappedKey, error) {
	cur, err := s.c.Find(ctx, bson.D{})
	if err != nil {
		return nil, fmt.Errorf("all keys: %w", mongostore.Translate(err))
	}
	var docs []keyDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("all keys: %w", mongostore.Translate(err))
	}
	out := make(map[string]domain.WrappedKey, len(docs))
	for _, d := range docs {
		out[d.Pseudonym] = domain.WrappedKey{KeyID: d.KeyID, Key: d.Key}
	}
	return out, nil
}

// Audit implements domain.Audit: one inserted document per access, never
// updated.
type Audit struct{ c *mongo.Collection }

// NewAudit returns the audit log of db.
func NewAudit(db *mongo.Database) *Audit { return &Audit{db.Collection(auditColl)} }

type auditDoc struct {
	ID           string    `bson:"_id"`
	At           time.Time `bson:"at"`
	Subject      string    `bson:"subject"`
	Role         string    `bson:"role"`
	Organisation string    `bson:"organisation"`
	Person       string    `bson:"person"`
	Action       string    `bson:"action"`
	Fields       []string  `bson:"fields"`
	Reason       string    `bson:"reason"`
	Outcome      string    `bson:"outcome"`
}

func (s *Audit) Add(ctx context.Context, e domain.AuditEntry) error {
	if e.Fields == nil {
		e.Fields = []string{}
	}
	if _, err := s.c.InsertOne(ctx, auditDoc(e)); err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, mongostore.Translate(err))
	}
	return nil
}

func (s *Audit) List(ctx context.Context, person string) ([]domain.AuditEntry, error) {
	cur, err := s.c.Find(ctx, bson.D{{Key: "person", Value: person}}, options.Find().SetSort(bson.D{{Key: "at", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("audit of %s: %w", person, mongostore.Translate(err))
	}
	var docs []auditDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("audit of %s: %w", person, mongostore.Translate(err))
	}
	out := make([]domain.AuditEntry, len(docs))
	for i, d := range docs {
		d.At = d.At.UTC()
		out[i] = domain.AuditEntry(d)
	}
	return out, nil
}

// Package store is web's MongoDB adapter: accounts by user name, sessions
// by the hash of their id. Both are found by _id.
package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/mongostore"
	"github.com/percorsi/percorsi/services/web/domain"
)

const (
	accountsColl = "accounts"
	sessionsColl = "sessions"
)

func byID(id string) bson.D { return bson.D{{Key: "_id", Value: id}} }

type accountDoc struct {
	Username     string `bson:"_id"`
	DisplayName  string `bson:"display_name"`
	Role         string `bson:"role"`
	Organisation string `bson:"organisation"`
	PasswordHash string `bson:"password_hash"`
	Disabled     bool   `bson:"disabled,omitempty"`
}

// Accounts is the accounts collection.
type Accounts struct{ c *mongo.Collection }

// NewAccounts returns the accounts of db.
func NewAccounts(db *mongo.Database) *Accounts { return &Accounts{db.Collection(accountsColl)} }

// Account returns the account of username; NotFound when there is none.
func (s *Accounts) Account(ctx context.Context, username string) (*domain.Account, error) {
	var d accountDoc
	if err := s.c.FindOne(ctx, byID(username)).Decode(&d); err != nil {
		return nil, fmt.Errorf("account: %w", mongostore.Translate(err))
	}
	return &domain.Account{
		Username: d.Username, DisplayName: d.DisplayName, Role: auth.Role(d.Role), Organisation: d.Organisation,
		PasswordHash: d.PasswordHash, Disabled: d.Disabled,
	}, nil
}

// Put creates or replaces an account.
func (s *Accounts) Put(ctx context.Context, a *domain.Account) error {
	if a.Username == "" || a.Role == "" || a.PasswordHash == "" {
		return errcode.New(errcode.Invalid, "account", "needs a user name, a role and a password hash")
	}
	d := accountDoc{
		Username: a.Username, DisplayName: a.DisplayName, Role: string(a.Role), Organisation: a.Organisation,
		PasswordHash: a.PasswordHash, Disabled: a.Disabled,
	}
	_, err := s.c.ReplaceOne(ctx, byID(a.Username), d, options.Replace().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("put account: %w", mongostore.Translate(err))
	}
	return nil
}

type sessionDoc struct {
	IDHash       string    `bson:"_id"`
	Username     string    `bson:"username"`
	DisplayName  string    `bson:"display_name"`
	Role         string    `bson:"role"`
	Organisation string    `bson:"organisation"`
	CSRF         string    `bson:"csrf"`
	Expires      time.Time `bson:"expires"`
}

// Sessions is the sessions collection.
type Sessions struct{ c *mongo.Collection }

// NewSessions returns the sessions of db.
func NewSessions(db *mongo.Database) *Sessions { return &Sessions{db.Collection(sessionsColl)} }

// Create stores a new session.
func (s *Sessions) Create(ctx context.Context, ses *domain.Session) error {
	_, err := s.c.InsertOne(ctx, sessionDoc{
		IDHash: ses.IDHash, Username: ses.Username, DisplayName: ses.DisplayName, Role: string(ses.Role),
		Organisation: ses.Organisation, CSRF: ses.CSRF, Expires: ses.Expires.UTC(),
	})
	if err != nil {
		return fmt.Errorf("create session: %w", mongostore.Translate(err))
	}
	return nil
}

// Session returns the live session of idHash; NotFound when it is unknown
// or expired at now.
func (s *Sessions) Session(ctx context.Context, idHash string, now time.Time) (*domain.Session, error) {
	var d sessionDoc
	if err := s.c.FindOne(ctx, byID(idHash)).Decode(&d); err != nil {
		return nil, fmt.Errorf("session: %w", mongostore.Translate(err))
	}
	if !now.Before(d.Expires) {
		return nil, errcode.New(errcode.NotFound, "session", "has expired")
	}
	return &domain.Session{
		IDHash: d.IDHash, Username: d.Username, DisplayName: d.DisplayName, Role: auth.Role(d.Role),
		Organisation: d.Organisation, CSRF: d.CSRF, Expires: d.Expires,
	}, nil
}

// Delete removes a session; removing one that is gone is no error.
func (s *Sessions) Delete(ctx context.Context, idHash string) error {
	if _, err := s.c.DeleteOne(ctx, byID(idHash)); err != nil {
		return fmt.Errorf("delete session: %w", mongostore.Translate(err))
	}
	return nil
}

// Sweep removes the sessions expired at now. Neither FerretDB nor a
// portable setup gives a TTL index, so a worker calls this now and then. It
// reads every session's expiry and deletes the expired ones by _id: the
// embedded store serves no range through an index, and the sessions of
// signed-in users are few enough to read whole.
func (s *Sessions) Sweep(ctx context.Context, now time.Time) (int64, error) {
	cur, err := s.c.Find(ctx, bson.D{}, options.Find().SetProjection(bson.D{{Key: "expires", Value: 1}}))
	if err != nil {
		return 0, fmt.Errorf("sweep sessions: %w", mongostore.Translate(err))
	}
	var all []struct {
		ID      string    `bson:"_id"`
		Expires time.Time `bson:"expires"`
	}
	if err := cur.All(ctx, &all); err != nil {
		return 0, fmt.Errorf("sweep sessions: %w", mongostore.Translate(err))
	}
	var expired []string
	for _, sess := range all {
		if !sess.Expires.After(now) {
			expired = append(expired, sess.ID)
		}
	}
	if len(expired) == 0 {
		return 0, nil
	}
	// The expiry again: a session renewed since it was read stays.
	res, err := s.c.DeleteMany(ctx, bson.D{
		{Key: "_id", Value: bson.D{{Key: "$in", Value: expired}}},
		{Key: "expires", Value: bson.D{{Key: "$lte", Value: now.UTC()}}},
	})
	if err != nil {
		return 0, fmt.Errorf("sweep sessions: %w", mongostore.Translate(err))
	}
	return res.DeletedCount, nil
}

// Package mongostore is what every service's MongoDB adapter shares:
// connecting, ensuring indexes at start, and turning driver errors into
// coded errors so that use cases never see the driver.
package mongostore

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"

	"github.com/percorsi/percorsi/pkg/errcode"
)

// Connect opens a client for uri. Writes wait for a majority of the replica
// set (what makes an acknowledgement to a user durable); every operation is
// bounded so that a store outage becomes an error, never a hang.
func Connect(ctx context.Context, uri string) (*mongo.Client, error) {
	c, err := mongo.Connect(options.Client().
		ApplyURI(uri).
		SetWriteConcern(writeconcern.Majority()).
		SetTimeout(10 * time.Second).
		SetServerSelectionTimeout(5 * time.Second).
		SetConnectTimeout(5 * time.Second).
		SetAppName("percorsi"))
	if err != nil {
		return nil, fmt.Errorf("mongostore: connect: %w", err)
	}
	return c, nil
}

// indexBuild bounds the building of a service's indexes at start.
const indexBuild = 10 * time.Minute

// Index is one index to ensure.
type Index struct {
	Collection string
	Keys       bson.D
	Unique     bool
}

// EnsureIndexes creates idxs if missing; it is idempotent and runs at start.
// Building an index reads the whole collection, so each may take up to
// indexBuild rather than one operation's timeout: at 1.7 million lessons
// the embedded store took longer than the client's 10 s, and courses never
// started.
func EnsureIndexes(ctx context.Context, db *mongo.Database, idxs ...Index) error {
	ctx, cancel := context.WithTimeout(ctx, indexBuild)
	defer cancel()
	for _, ix := range idxs {
		m := mongo.IndexModel{Keys: ix.Keys, Options: options.Index().SetUnique(ix.Unique)}
		if _, err := db.Collection(ix.Collection).Indexes().CreateOne(ctx, m); err != nil {
			return fmt.Errorf("mongostore: index %v on %s: %w", ix.Keys, ix.Collection, Translate(err))
		}
	}
	return nil
}

// Translate turns a driver error into a coded error: no document is
// NotFound, a duplicate key Conflict, an unreachable store Unavailable,
// anything else Internal. The driver error stays as the cause.
func Translate(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled):
		return err
	case errors.Is(err, mongo.ErrNoDocuments):
		return &errcode.Error{Code: errcode.NotFound, Message: "not found", Err: err}
	case mongo.IsDuplicateKeyError(err):
		return &errcode.Error{Code: errcode.Conflict, Message: "already exists", Err: err}
	case mongo.IsNetworkError(err), mongo.IsTimeout(err), isSelection(err), isInterrupted(err):
		return &errcode.Error{Code: errcode.Unavailable, Message: "the store is unavailable", Err: err}
	}
	return &errcode.Error{Code: errcode.Internal, Message: "store error", Err: err}
}

// isInterrupted recognises FerretDB v1 stopping an operation at the time
// limit the driver sends: MongoDB answers MaxTimeMSExpired, which
// mongo.IsTimeout knows, but FerretDB's SQLite query is interrupted and
// comes back as an InternalError. The driver sends a limit shorter than
// the caller's deadline by the round trip it measured, so under load the
// store's answer arrives first.
func isInterrupted(err error) bool {
	var ce mongo.CommandError
	return errors.As(err, &ce) && ce.Code == 1 && strings.Contains(ce.Message, "interrupted (9)")
}

func isSelection(err error) bool {
	var sel topology.ServerSelectionError
	return errors.As(err, &sel)
}

// Ping checks the store; it is a readiness check.
func Ping(c *mongo.Client) func(context.Context) error {
	return func(ctx context.Context) error { return c.Ping(ctx, nil) }
}

// InsertBatches inserts docs into c a thousand at a time, unordered,
// calling progress after each batch: a bulk load (a migration, a
// benchmark's population) takes the store's fastest path, some ten times
// the documents per second of one write each.
func InsertBatches(ctx context.Context, c *mongo.Collection, docs []any, progress func(done, total int)) error {
	const batch = 1000
	for i := 0; i < len(docs); i += batch {
		end := min(i+batch, len(docs))
		if _, err := c.InsertMany(ctx, docs[i:end], options.InsertMany().SetOrdered(false)); err != nil {
			return fmt.Errorf("insert %s %d-%d: %w", c.Name(), i, end, Translate(err))
		}
		progress(end, len(docs))
	}
	return nil
}

// Attempts yields the tries of an optimistic write (read, change, update
// conditioned on the version read), numbered from 0: the first at once,
// each next after a random pause below 1 ms, 2 ms, 4 ms... up to 50 ms, so
// that writers of one document who lost a race spread out instead of
// colliding again in step. It stops when ctx ends, or after 100 tries: a
// write still losing then answers Unavailable, the document is too busy.
// The bound is that high because the writers who won go again at once: with
// four writers on one profile and eight tries, a loser lost all eight about
// once in six updates.
func Attempts(ctx context.Context) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := range 100 {
			if i > 0 {
				t := time.NewTimer(rand.N(min(time.Millisecond<<min(i-1, 6), 50*time.Millisecond)))
				select {
				case <-ctx.Done():
					t.Stop()
					return
				case <-t.C:
				}
			}
			if !yield(i) {
				return
			}
		}
	}
}

// Package devstacktest gives tests an embedded Kafka and MongoDB on random
// loopback ports, stopped when the test ends.
package devstacktest

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/percorsi/percorsi/pkg/devstack"
	"github.com/percorsi/percorsi/pkg/mongostore"
)

// Start starts a stack with topics created, for the life of the test. Its
// MongoDB refuses a query whose filter no index serves (NoTableScan).
func Start(t testing.TB, topics ...string) *devstack.Stack {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := devstack.Start(ctx, devstack.Config{Dir: t.TempDir(), Topics: topics, Partitions: 4, NoTableScan: true})
	if err != nil {
		t.Fatalf("start embedded stack: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// Mongo connects to the stack's MongoDB for the life of the test.
func Mongo(t testing.TB, s *devstack.Stack) *mongo.Client {
	t.Helper()
	c, err := mongo.Connect(options.Client().ApplyURI(s.MongoURI()).SetTimeout(20 * time.Second))
	if err != nil {
		t.Fatalf("connect to embedded mongo: %v", err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	return c
}

// EnsureIndexes creates a store's indexes in db as its service does at start:
// the stack's MongoDB refuses a query that no index serves, so a store under
// test runs on the indexes it declares.
func EnsureIndexes(t testing.TB, db *mongo.Database, idxs ...mongostore.Index) {
	t.Helper()
	if err := mongostore.EnsureIndexes(t.Context(), db, idxs...); err != nil {
		t.Fatal(err)
	}
}

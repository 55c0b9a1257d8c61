package mongostore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/mongostore"
)

func TestTranslate(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want errcode.Code
	}{
		{"no document", mongo.ErrNoDocuments, errcode.NotFound},
		{"duplicate key", mongo.WriteException{WriteErrors: []mongo.WriteError{{Code: 11000, Message: "E11000 duplicate key"}}}, errcode.Conflict},
		{"the caller's deadline", fmt.Errorf("find: %w", context.DeadlineExceeded), errcode.Unavailable},
		{"MongoDB's time limit", mongo.CommandError{Code: 50, Name: "MaxTimeMSExpired", Message: "operation exceeded time limit"}, errcode.Unavailable},
		// FerretDB v1 stops a query at the time limit the driver sends
		// and says so as an internal error: a store too slow to answer is
		// unavailable to the caller, who may retry, not broken.
		{"FerretDB's time limit", mongo.CommandError{Code: 1, Name: "InternalError", Message: "[msg_find.go:193 handler.(*Handler).MsgFind] interrupted (9)"}, errcode.Unavailable},
		{"another internal error", mongo.CommandError{Code: 1, Name: "InternalError", Message: "no such table"}, errcode.Internal},
		{"anything else", errors.New("boom"), errcode.Internal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := mongostore.Translate(tc.err)
			if got := errcode.Of(err); got != tc.want {
				t.Fatalf("Translate(%v) = %v, want code %v", tc.err, err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.err.Error()) {
				t.Errorf("Translate(%v) lost the cause: %v", tc.err, err)
			}
		})
	}
}

// Attempts stops when the caller has what it wanted, when ctx ends, and at
// its bound otherwise.
func TestAttempts(t *testing.T) {
	t.Parallel()
	count := func(ctx context.Context, stopAt int) int {
		n := 0
		for i := range mongostore.Attempts(ctx) {
			n++
			if i == stopAt {
				break
			}
		}
		return n
	}
	if n := count(t.Context(), 2); n != 3 {
		t.Errorf("stopping at the third try: %d tries", n)
	}
	ended, cancel := context.WithCancel(t.Context())
	cancel()
	if n := count(ended, -1); n != 1 {
		t.Errorf("ctx ended: %d tries, want the first only", n)
	}
	if testing.Short() {
		return
	}
	if n := count(t.Context(), -1); n != 100 {
		t.Errorf("never satisfied: %d tries, want 100", n)
	}
}

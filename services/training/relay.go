package training

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/percorsi/percorsi/pkg/outbox"
)

// RunRelay publishes pending events until ctx ends, like outbox.Relay.Run,
// but holds gate exclusively during each pass so that no edition update of
// this process runs while the relay clears what it published (see
// store.NewEditions). A pass runs when woken and at least every poll; a
// failed pass is retried with backoff.
func RunRelay(ctx context.Context, relay *outbox.Relay, gate *sync.RWMutex, wake <-chan struct{}, poll time.Duration, log *slog.Logger) error {
	backoff := 100 * time.Millisecond
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		case <-wake:
		}
		gate.Lock()
		n, err := relay.Drain(ctx)
		gate.Unlock()
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			log.WarnContext(ctx, "outbox relay pass failed; retrying", "err", err, "backoff", backoff)
			timer.Reset(backoff)
			backoff = min(2*backoff, 5*time.Second)
			continue
		}
		backoff = 100 * time.Millisecond
		if n > 0 {
			timer.Reset(0) // there may be more
		} else {
			timer.Reset(poll)
		}
	}
}

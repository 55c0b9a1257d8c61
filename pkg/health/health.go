// Package health serves liveness and readiness. Liveness says the process
// answers; readiness says its dependencies do, so that a load balancer stops
// sending users to an instance that can only fail.
package health

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// Check reports whether one dependency is usable.
type Check func(ctx context.Context) error

// Live always answers 200 while the process serves HTTP.
func Live(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
}

// Ready runs every check (in parallel, 2 s each) and answers 200 when all
// pass, 503 otherwise, naming each dependency's state but no error detail.
func Ready(checks map[string]Check) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		var (
			mu    sync.Mutex
			wg    sync.WaitGroup
			state = make(map[string]string, len(checks))
			ok    = true
		)
		for name, check := range checks {
			wg.Go(func() {
				err := check(ctx)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					state[name], ok = "down", false
				} else {
					state[name] = "up"
				}
			})
		}
		wg.Wait()
		status := http.StatusOK
		if !ok {
			status = http.StatusServiceUnavailable
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{"ready": ok, "dependencies": state})
	}
}

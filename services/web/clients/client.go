// Package clients are web's go-kit clients of the services, one file per
// service, each call guarded by a timeout, retries and the service's
// circuit breaker, and sent with the user's own token and trace, over
// gRPC with the messages generated from proto/. They know nothing of the
// pages.
package clients

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/go-kit/kit/endpoint"
	kitgrpc "github.com/go-kit/kit/transport/grpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/breaker"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/grpckit"
	"github.com/percorsi/percorsi/pkg/instrument"
	"github.com/percorsi/percorsi/pkg/tracectx"
)

// Resilience bounds every call web makes to a service.
type Resilience struct {
	Timeout     time.Duration // one attempt
	Attempts    int           // attempts per call, the first included
	Pause       time.Duration // between attempts
	BreakerOpen time.Duration // how long an open breaker spares the service
}

// DefaultResilience suits pages: a user waits at most about five seconds
// for a part of the page before it says the part is unavailable.
var DefaultResilience = Resilience{Timeout: 2 * time.Second, Attempts: 2, Pause: 150 * time.Millisecond, BreakerOpen: 15 * time.Second}

// idPattern is the ids and pseudonyms the services hand out, and nothing
// that could walk a URL path elsewhere.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)

// ValidID reports whether id is one the services could have handed out.
func ValidID(id string) bool { return idPattern.MatchString(id) }

// Conn calls one service, each call guarded by the service's one breaker
// (so that a failing service is spared as a whole) and a per-attempt
// timeout, and retried on infrastructure faults when it is safe to repeat.
type Conn struct {
	retried endpoint.Middleware
	// once guards a write that must not be repeated: a retry after a
	// reply lost on the way would write twice (two intakes, two
	// proposals), or spend a link's one showing, so the user sees the
	// failure and decides.
	once    endpoint.Middleware
	log     *slog.Logger
	metrics *instrument.Metrics
	rpc     *grpc.ClientConn
}

// New returns the connection to the gRPC API of service at addr
// (host:port). It connects on the first call, and again after a failure.
func New(service, addr string, r Resilience, log *slog.Logger, m *instrument.Metrics, breakers *breaker.Metrics) (*Conn, error) {
	cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		// Back within seconds of a service's return: gRPC's own backoff
		// grows to two minutes over a long outage, while the breaker
		// already spares the service.
		grpc.WithConnectParams(grpc.ConnectParams{
			Backoff:           backoff.Config{BaseDelay: 100 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, MaxDelay: 2 * time.Second},
			MinConnectTimeout: r.Timeout,
		}))
	if err != nil {
		return nil, fmt.Errorf("web: %s gRPC address %q: %w", service, addr, err)
	}
	cb := breakers.New("web_"+service, r.BreakerOpen)
	return &Conn{
		retried: endpoint.Chain(breaker.Middleware(cb), retry(r.Attempts, r.Pause), timeout(r.Timeout)),
		once:    endpoint.Chain(breaker.Middleware(cb), timeout(r.Timeout)),
		log:     log,
		metrics: m,
		rpc:     cc,
	}, nil
}

// Close closes the connection.
func (c *Conn) Close() error { return c.rpc.Close() }

// call makes the RPC named by its full method name ("/pkg.Service/Method",
// as generated) behind guard, and returns its answer, a new T.
func call[T any](ctx context.Context, c *Conn, guard endpoint.Middleware, name, fullMethod string, req any) (*T, error) {
	service, method, _ := strings.Cut(strings.TrimPrefix(fullMethod, "/"), "/")
	same := func(_ context.Context, v any) (any, error) { return v, nil }
	raw := kitgrpc.NewClient(c.rpc, service, method, same, same, new(T),
		kitgrpc.ClientBefore(auth.ContextToGRPC, tracectx.ToGRPC),
	).Endpoint()
	resp, err := endpoint.Chain(instrument.Endpoint(name, c.log, c.metrics), guard, statusErrors)(raw)(ctx, req)
	if err != nil {
		return nil, err
	}
	return resp.(*T), nil
}

// statusErrors turns the status a service answered back into its coded
// error; a call that got no answer is Unavailable, which the breaker counts.
func statusErrors(next endpoint.Endpoint) endpoint.Endpoint {
	return func(ctx context.Context, req any) (any, error) {
		resp, err := next(ctx, req)
		return resp, grpckit.FromStatus(err)
	}
}

// timeout bounds one attempt.
func timeout(d time.Duration) endpoint.Middleware {
	return func(next endpoint.Endpoint) endpoint.Endpoint {
		return func(ctx context.Context, req any) (any, error) {
			ctx, cancel := context.WithTimeout(ctx, d)
			defer cancel()
			return next(ctx, req)
		}
	}
}

// retry repeats a call that failed for an infrastructure reason, up to
// attempts in all. Business errors are answers and are never repeated.
func retry(attempts int, pause time.Duration) endpoint.Middleware {
	return func(next endpoint.Endpoint) endpoint.Endpoint {
		return func(ctx context.Context, req any) (any, error) {
			var err error
			for i := range attempts {
				if i > 0 {
					select {
					case <-ctx.Done():
						return nil, err
					case <-time.After(pause):
					}
				}
				var resp any
				if resp, err = next(ctx, req); err == nil || errcode.IsBusiness(err) || ctx.Err() != nil {
					return resp, err
				}
			}
			return nil, err
		}
	}
}

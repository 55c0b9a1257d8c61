// Package clients are web's go-kit clients of the services, one file per
// service, each call guarded by a timeout, retries and the service's
// circuit breaker, and sent with the user's own token. Courses, training
// and jobs are called over gRPC with the messages generated from proto/;
// pathway and housing over their HTTP JSON APIs. They know nothing of the
// pages.
package clients

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/go-kit/kit/endpoint"
	kitgrpc "github.com/go-kit/kit/transport/grpc"
	kithttp "github.com/go-kit/kit/transport/http"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/breaker"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/grpckit"
	"github.com/percorsi/percorsi/pkg/httpkit"
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
	// Either an HTTP API at base, or a gRPC one over rpc.
	base *url.URL
	http *http.Client
	rpc  *grpc.ClientConn
}

// New returns the connection to the HTTP API of service at base.
func New(service, base string, r Resilience, log *slog.Logger, m *instrument.Metrics, breakers *breaker.Metrics) (*Conn, error) {
	u, err := url.Parse(base)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("web: %s URL %q is not an absolute URL", service, base)
	}
	c := guarded(service, r, log, m, breakers)
	c.base, c.http = u, &http.Client{}
	return c, nil
}

// NewGRPC returns the connection to the gRPC API of service at addr
// (host:port). It connects on the first call, and again after a failure.
func NewGRPC(service, addr string, r Resilience, log *slog.Logger, m *instrument.Metrics, breakers *breaker.Metrics) (*Conn, error) {
	cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, fmt.Errorf("web: %s gRPC address %q: %w", service, addr, err)
	}
	c := guarded(service, r, log, m, breakers)
	c.rpc = cc
	return c, nil
}

func guarded(service string, r Resilience, log *slog.Logger, m *instrument.Metrics, breakers *breaker.Metrics) *Conn {
	cb := breakers.New("web_"+service, r.BreakerOpen)
	return &Conn{
		retried: endpoint.Chain(breaker.Middleware(cb), retry(r.Attempts, r.Pause), timeout(r.Timeout)),
		once:    endpoint.Chain(breaker.Middleware(cb), timeout(r.Timeout)),
		log:     log,
		metrics: m,
	}
}

// Close closes a gRPC connection.
func (c *Conn) Close() error {
	if c.rpc == nil {
		return nil
	}
	return c.rpc.Close()
}

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

// endpoint is the go-kit client endpoint of one call, behind guard.
func (c *Conn) endpoint(name, method string, guard endpoint.Middleware, dec kithttp.DecodeResponseFunc) endpoint.Endpoint {
	raw := kithttp.NewClient(method, c.base, encode, dec,
		kithttp.SetClient(c.http),
		kithttp.ClientBefore(auth.ContextToHTTP, tracectx.ToHTTP),
	).Endpoint()
	return endpoint.Chain(instrument.Endpoint(name, c.log, c.metrics), guard, transportFaults)(raw)
}

// send makes a call behind guard and decodes its JSON answer into a T.
func send[T any](ctx context.Context, c *Conn, guard endpoint.Middleware, name, method string, req request) (*T, error) {
	resp, err := c.endpoint(name, method, guard, decodeJSON[T])(ctx, req)
	if err != nil {
		return nil, err
	}
	return resp.(*T), nil
}

// get reads, which is safe to repeat.
func get[T any](ctx context.Context, c *Conn, name string, req request) (*T, error) {
	return send[T](ctx, c, c.retried, name, http.MethodGet, req)
}

// post writes; the page reloads what the write changed.
func post(ctx context.Context, c *Conn, guard endpoint.Middleware, name string, req request) error {
	_, err := send[struct{}](ctx, c, guard, name, http.MethodPost, req)
	return err
}

// field is f of an answer, or the error that came instead.
func field[T, V any](v *T, err error, f func(*T) V) (V, error) {
	if err != nil {
		var zero V
		return zero, err
	}
	return f(v), nil
}

// request is one call of a service's JSON API: the path, the query, and
// the body to send as JSON (nil: none).
type request struct {
	path  string
	query url.Values
	body  any
}

// encode writes a request. The path comes escaped: an id with a slash or
// a percent sign in it stays one segment.
func encode(ctx context.Context, r *http.Request, req any) error {
	ar := req.(request)
	u, err := url.Parse(ar.path)
	if err != nil {
		return errcode.Wrap(errcode.Internal, err, "request path")
	}
	r.URL.Path, r.URL.RawPath, r.URL.RawQuery = u.Path, u.RawPath, ar.query.Encode()
	if ar.body == nil {
		return nil
	}
	return kithttp.EncodeJSONRequest(ctx, r, ar.body)
}

// pathOf joins a path of fixed parts and ids, escaping the ids.
func pathOf(parts ...string) string {
	var b strings.Builder
	for i, p := range parts {
		if i%2 == 1 {
			p = url.PathEscape(p)
		}
		b.WriteString(p)
	}
	return b.String()
}

// inLang is the query of a call whose answer carries words in lang.
func inLang(lang string) url.Values { return url.Values{"lang": {lang}} }

// transportFaults codes a fault below HTTP (refused, reset, timed out) as
// Unavailable: the page then says the part is away, and the breaker counts
// it. A caller who left is no fault of the service.
func transportFaults(next endpoint.Endpoint) endpoint.Endpoint {
	return func(ctx context.Context, req any) (any, error) {
		resp, err := next(ctx, req)
		if err != nil && errcode.As(err) == nil && !errors.Is(err, context.Canceled) {
			// The URL may carry an employer link's token: it is a
			// credential, and the error is logged.
			var ue *url.Error
			if errors.As(err, &ue) {
				err = fmt.Errorf("%s: %w", ue.Op, ue.Err)
			}
			err = errcode.Wrap(errcode.Unavailable, err, "the service did not answer")
		}
		return resp, err
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

// decodeJSON is a go-kit response decoder into a new T, turning error
// responses back into coded errors.
func decodeJSON[T any](_ context.Context, r *http.Response) (any, error) {
	if r.StatusCode >= 400 {
		return nil, decodeError(r)
	}
	var v T
	if err := json.NewDecoder(io.LimitReader(r.Body, 4<<20)).Decode(&v); err != nil {
		return nil, errcode.Wrap(errcode.Internal, err, "decode response")
	}
	return &v, nil
}

// decodeBytes returns the body as it came, for documents such as CSV.
func decodeBytes(_ context.Context, r *http.Response) (any, error) {
	if r.StatusCode >= 400 {
		return nil, decodeError(r)
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	if err != nil {
		return nil, errcode.Wrap(errcode.Unavailable, err, "read response")
	}
	return &b, nil
}

func decodeError(r *http.Response) error {
	var body httpkit.ErrorBody
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&body); err != nil || body.Error.Code == "" {
		code := errcode.Internal
		if r.StatusCode == http.StatusServiceUnavailable || r.StatusCode == http.StatusBadGateway || r.StatusCode == http.StatusGatewayTimeout {
			code = errcode.Unavailable
		}
		return errcode.New(code, "", "status %d", r.StatusCode)
	}
	return &errcode.Error{Code: body.Error.Code, Field: body.Error.Field, Message: body.Error.Message}
}

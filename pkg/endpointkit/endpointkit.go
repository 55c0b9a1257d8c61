// Package endpointkit is how every service turns its use cases into go-kit
// endpoints: one typed constructor, one middleware chain, and the parsing
// of the dates and times that requests carry as text, so that every
// transport (HTTP, gRPC) gets the same checks and the same words.
package endpointkit

import (
	"context"
	"log/slog"
	"time"

	"github.com/go-kit/kit/endpoint"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/instrument"
)

// Typed turns a use case into an endpoint: the transports decode into Req,
// the use case answers Resp. No request at all (httpkit.None's) is the
// zero Req.
func Typed[Req, Resp any](f func(context.Context, Req) (Resp, error)) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req, ok := request.(Req)
		if !ok && request != nil {
			var want Req
			return nil, errcode.New(errcode.Internal, "", "endpoint: request is %T, want %T", request, want)
		}
		resp, err := f(ctx, req)
		if err != nil {
			return nil, err // an untyped nil: transports test the response against nil
		}
		return resp, nil
	}
}

// Chain is the middleware every endpoint runs in: instrumentation
// outermost (so refusals are counted and logged too), then authentication
// and the roles allowed. Which records a role may touch is the use case's
// to say.
type Chain struct {
	Verifier auth.Verifier
	Log      *slog.Logger
	Metrics  *instrument.Metrics
}

// Wrap puts e, named name in logs and metrics, in the chain, open to roles.
func (c Chain) Wrap(name string, e endpoint.Endpoint, roles ...auth.Role) endpoint.Endpoint {
	return endpoint.Chain(instrument.Endpoint(name, c.Log, c.Metrics), auth.Require(c.Verifier, roles...))(e)
}

// Use is Wrap of a typed use case.
func Use[Req, Resp any](c Chain, name string, f func(context.Context, Req) (Resp, error), roles ...auth.Role) endpoint.Endpoint {
	return c.Wrap(name, Typed(f), roles...)
}

// Date reads the calendar date s of field ("2026-09-15") at midnight in
// loc (UTC when nil).
func Date(field, s string, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	if s == "" {
		return time.Time{}, errcode.New(errcode.Invalid, field, "is required, a date such as 2026-09-15")
	}
	t, err := time.ParseInLocation(time.DateOnly, s, loc)
	if err != nil {
		return time.Time{}, errcode.New(errcode.Invalid, field, "must be a date such as 2026-09-15")
	}
	return t, nil
}

// OptionalDate is Date, with the zero time for an empty s.
func OptionalDate(field, s string, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return Date(field, s, loc)
}

// Time reads the instant s of field in RFC 3339.
func Time(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, errcode.New(errcode.Invalid, field, "is required, a time such as 2026-11-02T09:00:00+01:00")
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, errcode.New(errcode.Invalid, field, "must be a time such as 2026-11-02T09:00:00+01:00")
	}
	return t, nil
}

// FormatDate writes t's calendar date, and nothing for the zero time.
func FormatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

// Package grpckit is what every go-kit gRPC transport in Percorsi shares:
// the server options that carry the caller and the trace, and the one
// mapping of error codes to gRPC statuses.
package grpckit

import (
	"context"

	kitgrpc "github.com/go-kit/kit/transport/grpc"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	grpcstatus "google.golang.org/grpc/status"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/tracectx"
)

// ServerOptions move the bearer token and the trace context of incoming
// metadata into the request's context, and serve the call in a span.
func ServerOptions() []kitgrpc.ServerOption {
	return []kitgrpc.ServerOption{
		kitgrpc.ServerBefore(auth.GRPCToContext, tracectx.FromGRPC),
		kitgrpc.ServerFinalizer(tracectx.EndGRPC),
	}
}

// Serve runs one go-kit handler and maps its error to a gRPC status.
func Serve[Resp any](ctx context.Context, h kitgrpc.Handler, req any) (Resp, error) {
	_, resp, err := h.ServeGRPC(ctx, req)
	if err != nil {
		var zero Resp
		return zero, Status(err)
	}
	return resp.(Resp), nil
}

// Status maps a coded error to a gRPC status: the only such mapping. The
// faulty field travels as a BadRequest detail; an internal error's cause is
// never sent.
func Status(err error) error {
	code, msg := codes.Internal, "internal error"
	e := errcode.As(err)
	switch c := errcode.Of(err); {
	case c == errcode.Internal || e == nil:
	case c == errcode.Invalid:
		code = codes.InvalidArgument
	case c == errcode.NotFound:
		code = codes.NotFound
	case c == errcode.Conflict:
		code = codes.FailedPrecondition
	case c == errcode.Unauthorized:
		code = codes.Unauthenticated
	case c == errcode.Forbidden:
		code = codes.PermissionDenied
	case c == errcode.Unavailable:
		code = codes.Unavailable
	}
	if code != codes.Internal {
		msg = e.Message
	}
	st := grpcstatus.New(code, msg)
	if code != codes.Internal && e.Field != "" {
		violation := &errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{{Field: e.Field, Description: e.Message}}}
		if d, err := st.WithDetails(violation); err == nil {
			st = d
		}
	}
	return st.Err()
}

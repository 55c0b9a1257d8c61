// Package grpckit is what every go-kit gRPC transport in Percorsi shares:
// the server options that carry the caller and the trace, and the one
// mapping of error codes to gRPC statuses.
package grpckit

import (
	"context"
	"fmt"

	kitgrpc "github.com/go-kit/kit/transport/grpc"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	grpccodes "google.golang.org/grpc/codes"
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

// codes maps error codes to gRPC codes, both ways.
var codes = map[errcode.Code]grpccodes.Code{
	errcode.Invalid: grpccodes.InvalidArgument, errcode.NotFound: grpccodes.NotFound, errcode.Conflict: grpccodes.FailedPrecondition,
	errcode.Unauthorized: grpccodes.Unauthenticated, errcode.Forbidden: grpccodes.PermissionDenied, errcode.Unavailable: grpccodes.Unavailable,
}

// Status maps a coded error to a gRPC status: the only such mapping. The
// faulty field travels as a BadRequest detail; an internal error's cause is
// never sent.
func Status(err error) error {
	code, msg := grpccodes.Internal, "internal error"
	e := errcode.As(err)
	if c, ok := codes[errcode.Of(err)]; ok && e != nil {
		code, msg = c, e.Message
	}
	st := grpcstatus.New(code, msg)
	if code != grpccodes.Internal && e.Field != "" {
		violation := &errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{{Field: e.Field, Description: e.Message}}}
		if d, err := st.WithDetails(violation); err == nil {
			st = d
		}
	}
	return st.Err()
}

// FromStatus is the inverse of Status, for a client: the coded error a
// service answered, its field read from the BadRequest detail, so that the
// caller words a refusal as it would the service's own. A call that got no
// answer in time is Unavailable like a service that is away; one whose
// caller left is context.Canceled, no fault of the service; any other
// status is Internal.
func FromStatus(err error) error {
	st, ok := grpcstatus.FromError(err)
	switch {
	case err == nil:
		return nil
	case !ok:
		return errcode.Wrap(errcode.Internal, err, "no gRPC status")
	case st.Code() == grpccodes.Canceled:
		return fmt.Errorf("%w: %w", context.Canceled, err)
	case st.Code() == grpccodes.DeadlineExceeded || st.Code() == grpccodes.Unavailable:
		return errcode.Wrap(errcode.Unavailable, err, "%s", st.Message())
	}
	for code, c := range codes {
		if c != st.Code() {
			continue
		}
		e := &errcode.Error{Code: code, Message: st.Message()}
		for _, d := range st.Details() {
			if br, ok := d.(*errdetails.BadRequest); ok && len(br.FieldViolations) > 0 {
				e.Field = br.FieldViolations[0].Field
			}
		}
		return e
	}
	return errcode.Wrap(errcode.Internal, err, "%s", st.Message())
}

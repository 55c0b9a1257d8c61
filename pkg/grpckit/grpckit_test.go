package grpckit_test

import (
	"context"
	"errors"
	"testing"

	"google.golang.org/grpc/codes"
	grpcstatus "google.golang.org/grpc/status"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/grpckit"
)

// A coded error sent as a status comes back as it was, field and message
// included; an internal error's cause stays with the service; what the
// transport says of a call with no answer reads as the service's absence
// or the caller's leaving.
func TestFromStatus(t *testing.T) {
	t.Parallel()
	for _, code := range []errcode.Code{errcode.Invalid, errcode.NotFound, errcode.Conflict, errcode.Unauthorized, errcode.Forbidden} {
		sent := errcode.New(code, "marks[1].minutes", "must be less than %d", 120)
		got := errcode.As(grpckit.FromStatus(grpckit.Status(sent)))
		if got == nil || got.Code != code || got.Field != sent.Field || got.Message != sent.Message {
			t.Errorf("%s came back as %#v", code, got)
		}
	}
	if got := errcode.As(grpckit.FromStatus(grpckit.Status(errcode.New(errcode.NotFound, "", "no lesson")))); got == nil || got.Field != "" || got.Message != "no lesson" {
		t.Errorf("without a field: %#v", got)
	}
	internal := grpckit.FromStatus(grpckit.Status(errcode.Wrap(errcode.Internal, errors.New("secret cause"), "boom")))
	if e := errcode.As(internal); e == nil || e.Code != errcode.Internal || e.Message != "internal error" {
		t.Errorf("internal came back as %v", internal)
	}
	for _, c := range []codes.Code{codes.Unavailable, codes.DeadlineExceeded} {
		if err := grpckit.FromStatus(grpcstatus.Error(c, "connection refused")); errcode.Of(err) != errcode.Unavailable {
			t.Errorf("%s came back as %v", c, err)
		}
	}
	if err := grpckit.FromStatus(grpcstatus.Error(codes.Canceled, "context canceled")); !errors.Is(err, context.Canceled) || errcode.IsBusiness(err) {
		t.Errorf("canceled came back as %v", err)
	}
	for _, err := range []error{grpcstatus.Error(codes.Unknown, "?"), grpcstatus.Error(codes.ResourceExhausted, "too big"), errors.New("no status")} {
		if got := grpckit.FromStatus(err); errcode.Of(got) != errcode.Internal {
			t.Errorf("%v came back as %v", err, got)
		}
	}
	if grpckit.FromStatus(nil) != nil {
		t.Error("no error came back as one")
	}
}

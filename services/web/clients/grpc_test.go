package clients_test

import (
	"context"
	"log/slog"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/propagation"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/breaker"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/grpckit"
	"github.com/percorsi/percorsi/pkg/instrument"
	coursesv1 "github.com/percorsi/percorsi/proto/percorsi/courses/v1"
	jobsv1 "github.com/percorsi/percorsi/proto/percorsi/jobs/v1"
	"github.com/percorsi/percorsi/services/web/clients"
)

const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

// courses answers ListLessons with the errors queued, then a day; it
// keeps the metadata of the last call.
type courses struct {
	coursesv1.UnimplementedCoursesServiceServer
	calls atomic.Int32
	errs  []error
	md    atomic.Pointer[metadata.MD]
}

func (c *courses) ListLessons(ctx context.Context, _ *coursesv1.ListLessonsRequest) (*coursesv1.ListLessonsResponse, error) {
	n := int(c.calls.Add(1))
	md, _ := metadata.FromIncomingContext(ctx)
	c.md.Store(&md)
	if n <= len(c.errs) {
		return nil, c.errs[n-1]
	}
	return &coursesv1.ListLessonsResponse{Date: "2026-11-26"}, nil
}

type jobs struct {
	jobsv1.UnimplementedJobsServiceServer
	calls atomic.Int32
}

func (j *jobs) Propose(context.Context, *jobsv1.ProposeRequest) (*jobsv1.ProposeResponse, error) {
	j.calls.Add(1)
	return nil, status.Error(codes.Unavailable, "store away")
}

func serve(t *testing.T, register func(*grpc.Server)) string {
	t.Helper()
	srv := grpc.NewServer()
	register(srv)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(srv.Stop)
	return ln.Addr().String()
}

func conn(t *testing.T, service, addr string) *clients.Conn {
	t.Helper()
	reg := prometheus.NewRegistry()
	breakers, err := breaker.NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	r := clients.Resilience{Timeout: time.Second, Attempts: 2, Pause: time.Millisecond, BreakerOpen: time.Second}
	c, err := clients.New(service, addr, r, slog.New(slog.DiscardHandler), instrument.NewMetrics(reg, "web"), breakers)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// A read goes with the caller's token and trace, is repeated once after
// a fault of the service, and never after a refusal, which comes back
// with its field; a write that must not be repeated is tried once; a
// service that is not there is Unavailable.
func TestGRPCCalls(t *testing.T) {
	t.Parallel()
	ctx := propagation.TraceContext{}.Extract(auth.WithToken(t.Context(), "tok"), propagation.MapCarrier{"traceparent": traceparent})

	flaky := &courses{errs: []error{status.Error(codes.Unavailable, "restarting")}}
	c := clients.NewCourses(conn(t, "courses", serve(t, func(s *grpc.Server) { coursesv1.RegisterCoursesServiceServer(s, flaky) })))
	if day, err := c.Today(ctx); err != nil || day.GetDate() != "2026-11-26" || flaky.calls.Load() != 2 {
		t.Fatalf("after a fault: %v, %v in %d calls; want the day in 2", day, err, flaky.calls.Load())
	}
	md := *flaky.md.Load()
	if got := md.Get("authorization"); len(got) != 1 || got[0] != "Bearer tok" {
		t.Errorf("authorization %v", got)
	}
	if got := md.Get("traceparent"); len(got) != 1 || got[0][3:35] != traceparent[3:35] {
		t.Errorf("traceparent %v, want trace %s", got, traceparent[3:35])
	}

	refusing := &courses{errs: []error{grpckit.Status(errcode.New(errcode.Invalid, "date", "is not a date"))}}
	c = clients.NewCourses(conn(t, "courses", serve(t, func(s *grpc.Server) { coursesv1.RegisterCoursesServiceServer(s, refusing) })))
	_, err := c.Today(ctx)
	if e := errcode.As(err); e == nil || e.Code != errcode.Invalid || e.Field != "date" || e.Message != "is not a date" || refusing.calls.Load() != 1 {
		t.Errorf("a refusal: %v in %d calls; want it as sent, in 1", err, refusing.calls.Load())
	}

	j := &jobs{}
	jc := clients.NewJobs(conn(t, "jobs", serve(t, func(s *grpc.Server) { jobsv1.RegisterJobsServiceServer(s, j) })))
	if err := jc.Propose(ctx, "ps-a", "vac-1"); errcode.Of(err) != errcode.Unavailable || j.calls.Load() != 1 {
		t.Errorf("a proposal: %v in %d calls; want unavailable in 1", err, j.calls.Load())
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gone := ln.Addr().String()
	_ = ln.Close()
	if _, err := clients.NewCourses(conn(t, "courses", gone)).Today(ctx); errcode.Of(err) != errcode.Unavailable {
		t.Errorf("no service: %v, want unavailable", err)
	}
}

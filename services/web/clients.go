package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-kit/kit/endpoint"
	kithttp "github.com/go-kit/kit/transport/http"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/breaker"
	"github.com/percorsi/percorsi/pkg/errcode"
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

// client builds go-kit HTTP client endpoints of one service, each guarded
// by the service's one breaker (so that a failing service is spared as a
// whole), a retry of infrastructure faults and a per-attempt timeout.
type client struct {
	base      *url.URL
	guard     endpoint.Middleware
	guardOnce endpoint.Middleware // without the retry
	log       *slog.Logger
	metrics   *instrument.Metrics
	http      *http.Client
}

func newClient(service, base string, r Resilience, log *slog.Logger, m *instrument.Metrics, breakers *breaker.Metrics) (*client, error) {
	u, err := url.Parse(base)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("web: %s URL %q is not an absolute URL", service, base)
	}
	cb := breakers.New("web_"+service, r.BreakerOpen)
	return &client{
		base:      u,
		guard:     endpoint.Chain(breaker.Middleware(cb), retry(r.Attempts, r.Pause), timeout(r.Timeout)),
		guardOnce: endpoint.Chain(breaker.Middleware(cb), timeout(r.Timeout)),
		log:       log,
		metrics:   m,
		http:      &http.Client{},
	}, nil
}

// endpoint returns the guarded client endpoint for method and a path that
// enc fills in from the request.
func (c *client) endpoint(name, method string, enc kithttp.EncodeRequestFunc, dec kithttp.DecodeResponseFunc) endpoint.Endpoint {
	return endpoint.Chain(instrument.Endpoint(name, c.log, c.metrics), c.guard, transportFaults)(c.raw(method, enc, dec))
}

// once is endpoint for a write that must not be repeated: a retry after a
// reply lost on the way would propose twice, or spend a link's one
// showing. The breaker and the timeout guard it all the same.
func (c *client) once(name, method string, enc kithttp.EncodeRequestFunc, dec kithttp.DecodeResponseFunc) endpoint.Endpoint {
	return endpoint.Chain(instrument.Endpoint(name, c.log, c.metrics), c.guardOnce, transportFaults)(c.raw(method, enc, dec))
}

func (c *client) raw(method string, enc kithttp.EncodeRequestFunc, dec kithttp.DecodeResponseFunc) endpoint.Endpoint {
	return kithttp.NewClient(method, c.base, enc, dec,
		kithttp.SetClient(c.http),
		kithttp.ClientBefore(auth.ContextToHTTP, tracectx.ToHTTP),
	).Endpoint()
}

// apiRequest is one call of a service's JSON API: the path, the query,
// and the body to send as JSON (nil: none).
type apiRequest struct {
	path  string
	query url.Values
	body  any
}

// encodeAPI writes an apiRequest. The path comes escaped: an id with a
// slash or a percent sign in it stays one segment.
func encodeAPI(ctx context.Context, r *http.Request, req any) error {
	ar := req.(apiRequest)
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
// attempts in all. Business errors are answers and are never repeated; the
// register PUT is safe to repeat because the service answers the same
// register again with the stored one.
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

// decodeJSON returns a go-kit response decoder into a new T, turning error
// responses back into coded errors. A fault below HTTP (refused, reset,
// timed out) is Unavailable: the page says the part is away.
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

// call runs e and types its answer.
func call[T any](ctx context.Context, e endpoint.Endpoint, req any) (*T, error) {
	resp, err := e(ctx, req)
	if err != nil {
		return nil, err
	}
	return resp.(*T), nil
}

func encodePath(path func(req any) string) kithttp.EncodeRequestFunc {
	return func(_ context.Context, r *http.Request, req any) error {
		r.URL.Path = path(req)
		return nil
	}
}

// Courses is a client of the courses API (services/courses/openapi.yaml).
type Courses struct {
	today, lesson, record endpoint.Endpoint
	attendance            endpoint.Endpoint
}

// Day is the caller's lessons of one day.
type Day struct {
	Date    string `json:"date"`
	Lessons []struct {
		ID         string    `json:"id"`
		ClassID    string    `json:"class_id"`
		Start      time.Time `json:"start"`
		Minutes    int       `json:"minutes"`
		Status     string    `json:"status"`
		ClassTitle string    `json:"class_title"`
		Site       string    `json:"site"`
		Expected   int       `json:"expected"`
	} `json:"lessons"`
}

// Lesson is a lesson with its class roster and, once recorded, its register.
type Lesson struct {
	Lesson struct {
		ID      string    `json:"id"`
		ClassID string    `json:"class_id"`
		Start   time.Time `json:"start"`
		Minutes int       `json:"minutes"`
		Status  string    `json:"status"`
	} `json:"lesson"`
	Class struct {
		ID         string `json:"id"`
		Title      string `json:"title"`
		CourseKind string `json:"course_kind"`
		Roster     []struct {
			Person      string `json:"person"`
			DisplayName string `json:"display_name"`
			Status      string `json:"status"`
		} `json:"roster"`
	} `json:"class"`
	Register *Register `json:"register"`
}

// Mark is one person's attendance at a lesson.
type Mark struct {
	Person      string `json:"person"`
	DisplayName string `json:"display_name,omitempty"`
	Status      string `json:"status"`
	Minutes     int    `json:"minutes,omitempty"`
}

// Register is a lesson's recorded attendance.
type Register struct {
	LessonID   string    `json:"lesson_id"`
	RecordedBy string    `json:"recorded_by"`
	RecordedAt time.Time `json:"recorded_at"`
	Marks      []Mark    `json:"marks"`
}

type registerRequest struct {
	LessonID string `json:"-"`
	Marks    []Mark `json:"marks"`
}

type registerResponse struct {
	Register Register `json:"register"`
}

// newCourses returns the courses endpoints of c.
func newCourses(c *client) *Courses {
	return &Courses{
		today: c.endpoint("courses.today", http.MethodGet,
			encodePath(func(any) string { return "/v1/lessons" }),
			decodeJSON[Day]),
		lesson: c.endpoint("courses.get_lesson", http.MethodGet,
			encodePath(func(req any) string { return "/v1/lessons/" + url.PathEscape(req.(string)) }),
			decodeJSON[Lesson]),
		record: c.endpoint("courses.record_register", http.MethodPut,
			func(ctx context.Context, r *http.Request, req any) error {
				rr := req.(registerRequest)
				r.URL.Path = "/v1/lessons/" + url.PathEscape(rr.LessonID) + "/register"
				return kithttp.EncodeJSONRequest(ctx, r, rr)
			},
			decodeJSON[registerResponse]),
		attendance: c.endpoint("courses.attendance", http.MethodGet, encodeAPI, decodeJSON[Attendance]),
	}
}

// Today returns the lessons the caller in ctx teaches today.
func (c *Courses) Today(ctx context.Context) (*Day, error) {
	return call[Day](ctx, c.today, nil)
}

// Lesson returns the lesson id, as the caller in ctx may see it.
func (c *Courses) Lesson(ctx context.Context, id string) (*Lesson, error) {
	return call[Lesson](ctx, c.lesson, id)
}

// RecordRegister records the marks of lesson id.
func (c *Courses) RecordRegister(ctx context.Context, id string, marks []Mark) (*Register, error) {
	for i := range marks {
		marks[i].DisplayName = "" // the API takes pseudonyms only
	}
	resp, err := call[registerResponse](ctx, c.record, registerRequest{LessonID: id, Marks: marks})
	if err != nil {
		return nil, err
	}
	return &resp.Register, nil
}

// Pathway is a client of the pathway API (services/pathway/openapi.yaml).
type Pathway struct {
	timeline endpoint.Endpoint
	cases    cases
}

// Timeline is a person's pathway as the case worker sees it.
type Timeline struct {
	Person          PersonRecord   `json:"person"`
	HoursByCourse   map[string]int `json:"hours_by_course"`
	MinutesByCourse map[string]int `json:"minutes_by_course"`
	Entries         []struct {
		EventID    string    `json:"event_id"`
		Type       string    `json:"type"`
		OccurredAt time.Time `json:"occurred_at"`
		Text       string    `json:"text"`
	} `json:"entries"`
}

type timelineRequest struct{ Pseudonym, Lang string }

func newPathway(c *client) *Pathway {
	return &Pathway{
		timeline: c.endpoint("pathway.timeline", http.MethodGet,
			func(_ context.Context, r *http.Request, req any) error {
				tr := req.(timelineRequest)
				r.URL.Path = "/v1/persons/" + url.PathEscape(tr.Pseudonym) + "/timeline"
				r.URL.RawQuery = url.Values{"lang": {tr.Lang}}.Encode()
				return nil
			},
			decodeJSON[Timeline]),
		cases: newCases(c),
	}
}

// Timeline returns the pathway of pseudonym with its entries in lang.
func (p *Pathway) Timeline(ctx context.Context, pseudonym, lang string) (*Timeline, error) {
	return call[Timeline](ctx, p.timeline, timelineRequest{Pseudonym: pseudonym, Lang: lang})
}

package courses

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"

	"github.com/go-kit/kit/endpoint"
	kithttp "github.com/go-kit/kit/transport/http"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/httpkit"
)

//go:embed openapi.yaml
var openAPI []byte

// openAPIRoute serves the document itself.
const openAPIRoute = "GET /openapi.yaml"

// NewHTTPHandler serves the endpoints as JSON over HTTP (and CSV where a
// secretariat wants files).
func NewHTTPHandler(e Endpoints) http.Handler {
	opts := []kithttp.ServerOption{
		kithttp.ServerBefore(auth.HTTPToContext),
		kithttp.ServerErrorEncoder(httpkit.ErrorEncoder),
	}
	mux := http.NewServeMux()
	for _, r := range routes(e) {
		mux.Handle(r.pattern, kithttp.NewServer(r.e, r.dec, r.enc, opts...))
	}
	mux.HandleFunc(openAPIRoute, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		_, _ = w.Write(openAPI)
	})
	return mux
}

// route is one operation of the HTTP API: its pattern (method and path,
// as openapi.yaml documents it), endpoint and codecs.
type route struct {
	pattern string
	e       endpoint.Endpoint
	dec     kithttp.DecodeRequestFunc
	enc     kithttp.EncodeResponseFunc
}

// routes are the operations of the HTTP API over e.
func routes(e Endpoints) []route {
	return []route{
		{"PUT /v1/courses/{id}", e.PutCourse, body(func(r *http.Request, req *CourseRequest) { req.ID = r.PathValue("id") }), httpkit.EncodeJSON},
		{"PUT /v1/classes/{id}", e.CreateClass, body(func(r *http.Request, req *ClassRequest) { req.ID = r.PathValue("id") }), httpkit.EncodeJSON},
		{"GET /v1/classes/{id}/attendance", e.Attendance, path(func(r *http.Request) any { return ClassIDRequest{ClassID: r.PathValue("id")} }), httpkit.EncodeJSON},
		{"POST /v1/classes/{id}/lessons", e.AddLesson, body(func(r *http.Request, req *LessonTimeRequest) { req.ClassID = r.PathValue("id") }), httpkit.EncodeJSON},
		{"POST /v1/classes/{id}/enrolments", e.Enrol, body(func(r *http.Request, req *EnrolRequest) { req.ClassID = r.PathValue("id") }), httpkit.EncodeJSON},
		{"POST /v1/classes/{id}/roster.csv", e.ImportRoster, decodeRoster, httpkit.EncodeJSON},
		{"POST /v1/classes/{id}/enrolments/{person}/withdraw", e.Withdraw, body(personFields), httpkit.EncodeJSON},
		{"POST /v1/classes/{id}/enrolments/{person}/suspend", e.Suspend, path(func(r *http.Request) any {
			return PersonRequest{ClassID: r.PathValue("id"), Person: r.PathValue("person"), suspend: true}
		}), httpkit.EncodeJSON},
		{"POST /v1/classes/{id}/enrolments/{person}/resume", e.Suspend, path(func(r *http.Request) any {
			return PersonRequest{ClassID: r.PathValue("id"), Person: r.PathValue("person")}
		}), httpkit.EncodeJSON},
		{"POST /v1/classes/{id}/enrolments/{person}/transfer", e.Transfer, body(personFields), httpkit.EncodeJSON},
		{"POST /v1/classes/{id}/enrolments/{person}/certificate", e.Certify, path(func(r *http.Request) any {
			return PersonRequest{ClassID: r.PathValue("id"), Person: r.PathValue("person")}
		}), httpkit.EncodeJSON},
		{"POST /v1/classes/{id}/assessments", e.Assess, body(func(r *http.Request, req *AssessRequest) { req.ClassID = r.PathValue("id") }), httpkit.EncodeJSON},
		{"GET /v1/classes/{id}/register.csv", e.Records, path(func(r *http.Request) any { return RecordsRequest{ClassID: r.PathValue("id")} }), encodeCSV},
		{"GET /v1/classes/{id}/attendance.csv", e.Records, path(func(r *http.Request) any {
			return RecordsRequest{ClassID: r.PathValue("id"), Month: r.URL.Query().Get("month")}
		}), encodeCSV},
		{"GET /v1/lessons", e.Today, path(func(r *http.Request) any { return TodayRequest{Date: r.URL.Query().Get("date")} }), httpkit.EncodeJSON},
		{"GET /v1/lessons/{id}", e.GetLesson, path(func(r *http.Request) any { return GetLessonRequest{LessonID: r.PathValue("id")} }), httpkit.EncodeJSON},
		{"POST /v1/lessons/{id}/cancel", e.CancelLesson, path(func(r *http.Request) any { return GetLessonRequest{LessonID: r.PathValue("id")} }), httpkit.EncodeJSON},
		{"POST /v1/lessons/{id}/move", e.MoveLesson, body(func(r *http.Request, req *LessonTimeRequest) { req.LessonID = r.PathValue("id") }), httpkit.EncodeJSON},
		{"PUT /v1/lessons/{id}/register", e.RecordRegister, DecodeRecordRegister, httpkit.EncodeJSON},
		{"POST /v1/lessons/{id}/corrections", e.CorrectRegister, decodeCorrection, httpkit.EncodeJSON},
	}
}

// body decodes a JSON body into a Req and lets fill add the path's values.
func body[Req any](fill func(*http.Request, *Req)) kithttp.DecodeRequestFunc {
	return func(_ context.Context, r *http.Request) (any, error) {
		var req Req
		if err := httpkit.Decode(r, &req); err != nil {
			return nil, err
		}
		fill(r, &req)
		return req, nil
	}
}

// path builds a request from the URL alone.
func path(build func(*http.Request) any) kithttp.DecodeRequestFunc {
	return func(_ context.Context, r *http.Request) (any, error) { return build(r), nil }
}

func personFields(r *http.Request, req *PersonRequest) {
	req.ClassID, req.Person = r.PathValue("id"), r.PathValue("person")
}

// DecodeRecordRegister reads a register submission.
func DecodeRecordRegister(_ context.Context, r *http.Request) (any, error) {
	var body struct {
		Marks []json.RawMessage `json:"marks"`
	}
	if err := httpkit.Decode(r, &body); err != nil {
		return nil, err
	}
	ms, err := decodeMarks(body.Marks)
	if err != nil {
		return nil, err
	}
	return RecordRegisterRequest{LessonID: r.PathValue("id"), Marks: ms}, nil
}

func decodeCorrection(_ context.Context, r *http.Request) (any, error) {
	var body struct {
		Marks  []json.RawMessage `json:"marks"`
		Reason string            `json:"reason"`
	}
	if err := httpkit.Decode(r, &body); err != nil {
		return nil, err
	}
	ms, err := decodeMarks(body.Marks)
	if err != nil {
		return nil, err
	}
	return CorrectRegisterRequest{LessonID: r.PathValue("id"), Marks: ms, Reason: body.Reason}, nil
}

// decodeMarks decodes the lines one by one so that an error names its index,
// e.g. "marks[2].minutes".
func decodeMarks(raws []json.RawMessage) ([]MarkJSON, error) {
	ms := make([]MarkJSON, len(raws))
	for i, raw := range raws {
		var m struct {
			Person  string `json:"person"`
			Status  string `json:"status"`
			Minutes int    `json:"minutes"`
		}
		if err := httpkit.DecodeElement(raw, &m, fmt.Sprintf("marks[%d]", i)); err != nil {
			return nil, err
		}
		ms[i] = MarkJSON{Person: m.Person, Status: m.Status, Minutes: m.Minutes}
	}
	return ms, nil
}

// decodeRoster reads a roster CSV body; a malformed file is refused whole.
func decodeRoster(_ context.Context, r *http.Request) (any, error) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "text/csv" {
		return nil, errcode.New(errcode.Invalid, "content-type", "must be text/csv")
	}
	rows, err := ParseRoster(http.MaxBytesReader(nil, r.Body, httpkit.MaxBody))
	if err != nil {
		return nil, err
	}
	return ImportRosterRequest{ClassID: r.PathValue("id"), Rows: rows}, nil
}

// encodeCSV writes a CSV response as a download.
func encodeCSV(_ context.Context, w http.ResponseWriter, response any) error {
	c := response.(CSV)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": c.Name}))
	return WriteCSV(w, c.Rows)
}

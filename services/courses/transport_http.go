package courses

import (
	"context"
	_ "embed"
	"mime"
	"net/http"

	kithttp "github.com/go-kit/kit/transport/http"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/httpkit"
	"github.com/percorsi/percorsi/pkg/register/registerjson"
)

//go:embed openapi.yaml
var openAPI []byte

// NewHTTPHandler serves the endpoints as JSON over HTTP (and CSV where a
// secretariat wants files).
func NewHTTPHandler(e Endpoints) http.Handler { return httpkit.Handler(openAPI, routes(e)) }

// routes are the operations of the HTTP API over e.
func routes(e Endpoints) []httpkit.Route {
	classPath := func(r *http.Request) ClassIDRequest { return ClassIDRequest{ClassID: r.PathValue("id")} }
	person := func(suspend bool) kithttp.DecodeRequestFunc {
		return httpkit.Path(func(r *http.Request) PersonRequest {
			return PersonRequest{ClassID: r.PathValue("id"), Person: r.PathValue("person"), suspend: suspend}
		})
	}
	lesson := httpkit.Path(func(r *http.Request) GetLessonRequest { return GetLessonRequest{LessonID: r.PathValue("id")} })
	return []httpkit.Route{
		{Pattern: "PUT /v1/courses/{id}", Endpoint: e.PutCourse, Decode: httpkit.Body(func(r *http.Request, req *CourseRequest) { req.ID = r.PathValue("id") })},
		{Pattern: "PUT /v1/classes/{id}", Endpoint: e.CreateClass, Decode: httpkit.Body(func(r *http.Request, req *ClassRequest) { req.ID = r.PathValue("id") })},
		{Pattern: "GET /v1/classes/{id}/attendance", Endpoint: e.Attendance, Decode: httpkit.Path(classPath)},
		{Pattern: "POST /v1/classes/{id}/lessons", Endpoint: e.AddLesson, Decode: httpkit.Body(func(r *http.Request, req *LessonTimeRequest) { req.ClassID = r.PathValue("id") })},
		{Pattern: "POST /v1/classes/{id}/enrolments", Endpoint: e.Enrol, Decode: httpkit.Body(func(r *http.Request, req *EnrolRequest) { req.ClassID = r.PathValue("id") })},
		{Pattern: "POST /v1/classes/{id}/roster.csv", Endpoint: e.ImportRoster, Decode: decodeRoster},
		{Pattern: "POST /v1/classes/{id}/enrolments/{person}/withdraw", Endpoint: e.Withdraw, Decode: httpkit.Body(personFields)},
		{Pattern: "POST /v1/classes/{id}/enrolments/{person}/suspend", Endpoint: e.Suspend, Decode: person(true)},
		{Pattern: "POST /v1/classes/{id}/enrolments/{person}/resume", Endpoint: e.Suspend, Decode: person(false)},
		{Pattern: "POST /v1/classes/{id}/enrolments/{person}/transfer", Endpoint: e.Transfer, Decode: httpkit.Body(personFields)},
		{Pattern: "POST /v1/classes/{id}/enrolments/{person}/certificate", Endpoint: e.Certify, Decode: person(false)},
		{Pattern: "POST /v1/classes/{id}/assessments", Endpoint: e.Assess, Decode: httpkit.Body(func(r *http.Request, req *AssessRequest) { req.ClassID = r.PathValue("id") })},
		{Pattern: "GET /v1/classes/{id}/register.csv", Endpoint: e.Records, Decode: httpkit.Path(func(r *http.Request) RecordsRequest { return RecordsRequest{ClassID: r.PathValue("id")} }), Encode: encodeCSV},
		{Pattern: "GET /v1/classes/{id}/attendance.csv", Endpoint: e.Records, Decode: httpkit.Path(func(r *http.Request) RecordsRequest {
			return RecordsRequest{ClassID: r.PathValue("id"), Month: r.URL.Query().Get("month")}
		}), Encode: encodeCSV},
		{Pattern: "GET /v1/lessons", Endpoint: e.Today, Decode: httpkit.Path(func(r *http.Request) TodayRequest { return TodayRequest{Date: r.URL.Query().Get("date")} })},
		{Pattern: "GET /v1/lessons/{id}", Endpoint: e.GetLesson, Decode: lesson},
		{Pattern: "POST /v1/lessons/{id}/cancel", Endpoint: e.CancelLesson, Decode: lesson},
		{Pattern: "POST /v1/lessons/{id}/move", Endpoint: e.MoveLesson, Decode: httpkit.Body(func(r *http.Request, req *LessonTimeRequest) { req.LessonID = r.PathValue("id") })},
		{Pattern: "PUT /v1/lessons/{id}/register", Endpoint: e.RecordRegister, Decode: DecodeRecordRegister},
		{Pattern: "POST /v1/lessons/{id}/corrections", Endpoint: e.CorrectRegister, Decode: decodeCorrection},
	}
}

func personFields(r *http.Request, req *PersonRequest) {
	req.ClassID, req.Person = r.PathValue("id"), r.PathValue("person")
}

// DecodeRecordRegister reads a register submission.
func DecodeRecordRegister(_ context.Context, r *http.Request) (any, error) {
	marks, err := registerjson.DecodeMarks(r)
	return RecordRegisterRequest{LessonID: r.PathValue("id"), Marks: marks}, err
}

func decodeCorrection(_ context.Context, r *http.Request) (any, error) {
	marks, reason, err := registerjson.DecodeCorrection(r)
	return CorrectRegisterRequest{LessonID: r.PathValue("id"), Marks: marks, Reason: reason}, err
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

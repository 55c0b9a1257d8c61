package training

import (
	"context"
	_ "embed"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/go-kit/kit/endpoint"
	kithttp "github.com/go-kit/kit/transport/http"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/httpkit"
	"github.com/percorsi/percorsi/services/training/domain"
)

//go:embed openapi.yaml
var openAPI []byte

// NewHTTPHandler serves the endpoints as JSON (and CSV exports) over HTTP.
func NewHTTPHandler(e Endpoints) http.Handler {
	opts := []kithttp.ServerOption{
		kithttp.ServerBefore(auth.HTTPToContext),
		kithttp.ServerErrorEncoder(httpkit.ErrorEncoder),
	}
	mux := http.NewServeMux()
	for _, rt := range routes(e) {
		mux.Handle(rt.pattern, kithttp.NewServer(rt.ep, rt.dec, rt.enc, opts...))
	}
	mux.HandleFunc("GET /openapi.yaml", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		_, _ = w.Write(openAPI)
	})
	return mux
}

// route is one operation of the HTTP API; openapi.yaml documents each.
type route struct {
	pattern string
	ep      endpoint.Endpoint
	dec     kithttp.DecodeRequestFunc
	enc     kithttp.EncodeResponseFunc
}

func routes(e Endpoints) []route {
	return []route{
		{"PUT /v1/courses/{id}", e.PutCourse, DecodePutCourse, httpkit.EncodeJSON},
		{"GET /v1/courses/{id}", e.GetCourse, func(_ context.Context, r *http.Request) (any, error) {
			return GetCourseRequest{CourseID: r.PathValue("id")}, nil
		}, httpkit.EncodeJSON},
		{"PUT /v1/editions/{id}", e.CreateEdition, DecodeCreateEdition, httpkit.EncodeJSON},
		{"GET /v1/editions/{id}", e.GetEdition, func(_ context.Context, r *http.Request) (any, error) {
			return GetEditionRequest{EditionID: r.PathValue("id")}, nil
		}, httpkit.EncodeJSON},
		{"GET /v1/editions", e.ListEditions, func(context.Context, *http.Request) (any, error) {
			return ListEditionsRequest{}, nil
		}, httpkit.EncodeJSON},
		{"POST /v1/editions/{id}/enrolments", e.Enrol, decodeEnrol, httpkit.EncodeJSON},
		{"POST /v1/editions/{id}/enrolments/{person}/suspend", e.Suspend, decodeSuspend, httpkit.EncodeJSON},
		{"POST /v1/editions/{id}/enrolments/{person}/resume", e.Resume, func(_ context.Context, r *http.Request) (any, error) {
			return ResumeRequest{EditionID: r.PathValue("id"), Person: r.PathValue("person")}, nil
		}, httpkit.EncodeJSON},
		{"POST /v1/editions/{id}/enrolments/{person}/withdraw", e.Withdraw, decodeWithdraw, httpkit.EncodeJSON},
		{"PUT /v1/editions/{id}/enrolments/{person}/internship", e.PlaceIntern, decodePlaceIntern, httpkit.EncodeJSON},
		{"POST /v1/editions/{id}/enrolments/{person}/internship/days", e.RecordHours, decodeRecordHours, httpkit.EncodeJSON},
		{"PUT /v1/editions/{id}/enrolments/{person}/internship/evaluation", e.Evaluate, decodeEvaluate, httpkit.EncodeJSON},
		{"POST /v1/editions/{id}/modules/{module}/close", e.CloseModule, func(_ context.Context, r *http.Request) (any, error) {
			return CloseModuleRequest{EditionID: r.PathValue("id"), ModuleID: r.PathValue("module")}, nil
		}, httpkit.EncodeJSON},
		{"POST /v1/editions/{id}/exam", e.RecordExam, DecodeRecordExam, httpkit.EncodeJSON},
		{"GET /v1/editions/{id}/registers.csv", e.ExportRegisters, decodeExport, encodeCSV},
		{"GET /v1/editions/{id}/roster.csv", e.ExportRoster, decodeExport, encodeCSV},
		{"GET /v1/lessons/{id}", e.GetLesson, func(_ context.Context, r *http.Request) (any, error) {
			return GetLessonRequest{LessonID: r.PathValue("id")}, nil
		}, httpkit.EncodeJSON},
		{"POST /v1/editions/{id}/lessons", e.AddLesson, decodeAddLesson, httpkit.EncodeJSON},
		{"POST /v1/lessons/{id}/cancel", e.CancelLesson, func(_ context.Context, r *http.Request) (any, error) {
			return GetLessonRequest{LessonID: r.PathValue("id")}, nil
		}, httpkit.EncodeJSON},
		{"POST /v1/lessons/{id}/move", e.MoveLesson, decodeMoveLesson, httpkit.EncodeJSON},
		{"PUT /v1/lessons/{id}/register", e.RecordRegister, DecodeRecordRegister, httpkit.EncodeJSON},
		{"PATCH /v1/lessons/{id}/register", e.CorrectRegister, DecodeCorrectRegister, httpkit.EncodeJSON},
	}
}

// DecodePutCourse reads a course; its id is the path's.
func DecodePutCourse(_ context.Context, r *http.Request) (any, error) {
	var body struct {
		Title           string            `json:"title"`
		RepertoireCode  string            `json:"repertoire_code"`
		Region          string            `json:"region"`
		Sector          string            `json:"sector"`
		Provider        string            `json:"provider"`
		EQFLevel        int               `json:"eqf_level"`
		ESCOOccupation  string            `json:"esco_occupation"`
		MinAttendanceBP int               `json:"min_attendance_bp"`
		Modules         []json.RawMessage `json:"modules"`
		Units           []json.RawMessage `json:"units"`
	}
	if err := httpkit.Decode(r, &body); err != nil {
		return nil, err
	}
	c := CourseJSON{
		ID: r.PathValue("id"), Title: body.Title, RepertoireCode: body.RepertoireCode, Region: body.Region, Sector: body.Sector,
		Provider: body.Provider, EQFLevel: body.EQFLevel, ESCOOccupation: body.ESCOOccupation, MinAttendanceBP: body.MinAttendanceBP,
		Modules: make([]ModuleJSON, len(body.Modules)), Units: make([]UnitJSON, len(body.Units)),
	}
	for i, raw := range body.Modules {
		if err := httpkit.DecodeElement(raw, &c.Modules[i], fmt.Sprintf("modules[%d]", i)); err != nil {
			return nil, err
		}
	}
	for i, raw := range body.Units {
		if err := httpkit.DecodeElement(raw, &c.Units[i], fmt.Sprintf("units[%d]", i)); err != nil {
			return nil, err
		}
	}
	return PutCourseRequest{Course: c}, nil
}

// DecodeCreateEdition reads an edition with its schedule.
func DecodeCreateEdition(_ context.Context, r *http.Request) (any, error) {
	var body struct {
		CourseID string            `json:"course_id"`
		Trainers []string          `json:"trainers"`
		Start    string            `json:"start"`
		End      string            `json:"end"`
		Lessons  []json.RawMessage `json:"lessons"`
	}
	if err := httpkit.Decode(r, &body); err != nil {
		return nil, err
	}
	in := NewEdition{ID: r.PathValue("id"), CourseID: body.CourseID, Trainers: body.Trainers, Lessons: make([]domain.Lesson, len(body.Lessons))}
	var err error
	if in.Start, err = parseTime("start", body.Start, time.RFC3339); err != nil {
		return nil, err
	}
	if in.End, err = parseTime("end", body.End, time.RFC3339); err != nil {
		return nil, err
	}
	for i, raw := range body.Lessons {
		place := fmt.Sprintf("lessons[%d]", i)
		var l struct {
			ID       string `json:"id"`
			ModuleID string `json:"module_id"`
			Start    string `json:"start"`
			Minutes  int    `json:"minutes"`
		}
		if err := httpkit.DecodeElement(raw, &l, place); err != nil {
			return nil, err
		}
		start, err := parseTime(place+".start", l.Start, time.RFC3339)
		if err != nil {
			return nil, err
		}
		in.Lessons[i] = domain.Lesson{ID: l.ID, ModuleID: l.ModuleID, Start: start, Minutes: l.Minutes}
	}
	return CreateEditionRequest{Edition: in}, nil
}

func parseTime(field, s, layout string) (time.Time, error) {
	if s == "" {
		return time.Time{}, errcode.New(errcode.Invalid, field, "is required")
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		if layout == time.DateOnly {
			return time.Time{}, errcode.New(errcode.Invalid, field, "must be a date, YYYY-MM-DD")
		}
		return time.Time{}, errcode.New(errcode.Invalid, field, "must be a time in RFC 3339, e.g. 2026-03-02T09:00:00+01:00")
	}
	return t, nil
}

func decodeEnrol(_ context.Context, r *http.Request) (any, error) {
	var body struct {
		Person      string `json:"person"`
		DisplayName string `json:"display_name"`
	}
	if err := httpkit.Decode(r, &body); err != nil {
		return nil, err
	}
	return EnrolRequest{EditionID: r.PathValue("id"), Person: body.Person, DisplayName: body.DisplayName}, nil
}

func decodeSuspend(_ context.Context, r *http.Request) (any, error) {
	var body struct {
		Note string `json:"note"`
	}
	if err := httpkit.Decode(r, &body); err != nil {
		return nil, err
	}
	return SuspendRequest{EditionID: r.PathValue("id"), Person: r.PathValue("person"), Note: body.Note}, nil
}

func decodeWithdraw(_ context.Context, r *http.Request) (any, error) {
	var body struct {
		Reason         string   `json:"reason"`
		Note           string   `json:"note"`
		UnitsCertified []string `json:"units_certified"`
	}
	if err := httpkit.Decode(r, &body); err != nil {
		return nil, err
	}
	return WithdrawRequest{EditionID: r.PathValue("id"), Person: r.PathValue("person"), Reason: body.Reason, Note: body.Note, UnitsCertified: body.UnitsCertified}, nil
}

func decodePlaceIntern(_ context.Context, r *http.Request) (any, error) {
	var body struct {
		ModuleID     string `json:"module_id"`
		HostID       string `json:"host_id"`
		HostName     string `json:"host_name"`
		Tutor        string `json:"tutor"`
		PlannedHours int    `json:"planned_hours"`
	}
	if err := httpkit.Decode(r, &body); err != nil {
		return nil, err
	}
	return PlaceInternRequest{
		EditionID: r.PathValue("id"), Person: r.PathValue("person"), ModuleID: body.ModuleID, HostID: body.HostID,
		HostName: body.HostName, Tutor: body.Tutor, PlannedHours: body.PlannedHours,
	}, nil
}

func decodeRecordHours(_ context.Context, r *http.Request) (any, error) {
	var body struct {
		Day     string `json:"day"`
		Minutes int    `json:"minutes"`
	}
	if err := httpkit.Decode(r, &body); err != nil {
		return nil, err
	}
	day, err := parseTime("day", body.Day, time.DateOnly)
	if err != nil {
		return nil, err
	}
	return RecordHoursRequest{EditionID: r.PathValue("id"), Person: r.PathValue("person"), Day: day, Minutes: body.Minutes}, nil
}

func decodeEvaluate(_ context.Context, r *http.Request) (any, error) {
	var body struct {
		Rating int    `json:"rating"`
		Note   string `json:"note"`
	}
	if err := httpkit.Decode(r, &body); err != nil {
		return nil, err
	}
	return EvaluateRequest{EditionID: r.PathValue("id"), Person: r.PathValue("person"), Rating: body.Rating, Note: body.Note}, nil
}

// DecodeRecordExam reads an exam session.
func DecodeRecordExam(_ context.Context, r *http.Request) (any, error) {
	var body struct {
		HeldOn  string            `json:"held_on"`
		Results []json.RawMessage `json:"results"`
	}
	if err := httpkit.Decode(r, &body); err != nil {
		return nil, err
	}
	heldOn, err := parseTime("held_on", body.HeldOn, time.DateOnly)
	if err != nil {
		return nil, err
	}
	req := RecordExamRequest{EditionID: r.PathValue("id"), HeldOn: heldOn, Results: make([]domain.Result, len(body.Results))}
	for i, raw := range body.Results {
		var x struct {
			Person      string   `json:"person"`
			Outcome     string   `json:"outcome"`
			Score       int      `json:"score"`
			UnitsPassed []string `json:"units_passed"`
		}
		if err := httpkit.DecodeElement(raw, &x, fmt.Sprintf("results[%d]", i)); err != nil {
			return nil, err
		}
		req.Results[i] = domain.Result{Person: x.Person, Outcome: domain.ExamOutcome(x.Outcome), Score: x.Score, UnitsPassed: x.UnitsPassed}
	}
	return req, nil
}

func decodeAddLesson(_ context.Context, r *http.Request) (any, error) {
	var body struct {
		ID       string `json:"id"`
		ModuleID string `json:"module_id"`
		Start    string `json:"start"`
		Minutes  int    `json:"minutes"`
	}
	if err := httpkit.Decode(r, &body); err != nil {
		return nil, err
	}
	start, err := parseTime("start", body.Start, time.RFC3339)
	if err != nil {
		return nil, err
	}
	return AddLessonRequest{EditionID: r.PathValue("id"), Lesson: domain.Lesson{ID: body.ID, ModuleID: body.ModuleID, Start: start, Minutes: body.Minutes}}, nil
}

func decodeMoveLesson(_ context.Context, r *http.Request) (any, error) {
	var body struct {
		Start   string `json:"start"`
		Minutes int    `json:"minutes"`
	}
	if err := httpkit.Decode(r, &body); err != nil {
		return nil, err
	}
	start, err := parseTime("start", body.Start, time.RFC3339)
	if err != nil {
		return nil, err
	}
	return MoveLessonRequest{LessonID: r.PathValue("id"), Start: start, Minutes: body.Minutes}, nil
}

func decodeExport(_ context.Context, r *http.Request) (any, error) {
	return ExportRequest{EditionID: r.PathValue("id")}, nil
}

// DecodeRecordRegister reads a register submission.
func DecodeRecordRegister(_ context.Context, r *http.Request) (any, error) {
	var body struct {
		Marks []json.RawMessage `json:"marks"`
	}
	if err := httpkit.Decode(r, &body); err != nil {
		return nil, err
	}
	marks, err := decodeMarks(body.Marks)
	if err != nil {
		return nil, err
	}
	return RecordRegisterRequest{LessonID: r.PathValue("id"), Marks: marks}, nil
}

// DecodeCorrectRegister reads a correction: the reason and the new lines.
func DecodeCorrectRegister(_ context.Context, r *http.Request) (any, error) {
	var body struct {
		Reason string            `json:"reason"`
		Marks  []json.RawMessage `json:"marks"`
	}
	if err := httpkit.Decode(r, &body); err != nil {
		return nil, err
	}
	marks, err := decodeMarks(body.Marks)
	if err != nil {
		return nil, err
	}
	return CorrectRegisterRequest{LessonID: r.PathValue("id"), Reason: body.Reason, Marks: marks}, nil
}

// decodeMarks reads the lines of a register, naming faulty fields by
// place, e.g. "marks[2].minutes".
func decodeMarks(raws []json.RawMessage) ([]MarkJSON, error) {
	marks := make([]MarkJSON, len(raws))
	for i, raw := range raws {
		var m struct {
			Person  string `json:"person"`
			Status  string `json:"status"`
			Minutes int    `json:"minutes"`
		}
		if err := httpkit.DecodeElement(raw, &m, fmt.Sprintf("marks[%d]", i)); err != nil {
			return nil, err
		}
		marks[i] = MarkJSON{Person: m.Person, Status: m.Status, Minutes: m.Minutes}
	}
	return marks, nil
}

// encodeCSV writes a CSVResponse as an attachment, cells made safe for
// spreadsheets.
func encodeCSV(_ context.Context, w http.ResponseWriter, response any) error {
	t := response.(CSVResponse)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", t.Filename))
	cw := csv.NewWriter(w)
	if err := cw.Write(t.Header); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	for _, row := range t.Rows {
		for i := range row {
			row[i] = sanitiseCell(row[i])
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
	}
	cw.Flush()
	return cw.Error()
}

package training

import (
	"context"
	_ "embed"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/percorsi/percorsi/pkg/endpointkit"
	"github.com/percorsi/percorsi/pkg/httpkit"
	"github.com/percorsi/percorsi/pkg/register/registerjson"
	"github.com/percorsi/percorsi/services/training/domain"
)

//go:embed openapi.yaml
var openAPI []byte

// NewHTTPHandler serves the endpoints as JSON (and CSV exports) over HTTP.
func NewHTTPHandler(e Endpoints) http.Handler { return httpkit.Handler(openAPI, routes(e)) }

func routes(e Endpoints) []httpkit.Route {
	lesson := httpkit.Path(func(r *http.Request) GetLessonRequest { return GetLessonRequest{LessonID: r.PathValue("id")} })
	export := httpkit.Path(func(r *http.Request) ExportRequest { return ExportRequest{EditionID: r.PathValue("id")} })
	person := func(r *http.Request) (string, string) { return r.PathValue("id"), r.PathValue("person") }
	return []httpkit.Route{
		{Pattern: "PUT /v1/courses/{id}", Endpoint: e.PutCourse, Decode: DecodePutCourse},
		{Pattern: "GET /v1/courses/{id}", Endpoint: e.GetCourse, Decode: httpkit.Path(func(r *http.Request) GetCourseRequest { return GetCourseRequest{CourseID: r.PathValue("id")} })},
		{Pattern: "PUT /v1/editions/{id}", Endpoint: e.CreateEdition, Decode: DecodeCreateEdition},
		{Pattern: "GET /v1/editions/{id}", Endpoint: e.GetEdition, Decode: httpkit.Path(func(r *http.Request) GetEditionRequest { return GetEditionRequest{EditionID: r.PathValue("id")} })},
		{Pattern: "GET /v1/editions", Endpoint: e.ListEditions, Decode: httpkit.Path(func(*http.Request) ListEditionsRequest { return ListEditionsRequest{} })},
		{Pattern: "POST /v1/editions/{id}/enrolments", Endpoint: e.Enrol, Decode: httpkit.Body(func(r *http.Request, req *EnrolRequest) { req.EditionID = r.PathValue("id") })},
		{Pattern: "POST /v1/editions/{id}/enrolments/{person}/suspend", Endpoint: e.Suspend, Decode: httpkit.Body(func(r *http.Request, req *SuspendRequest) { req.EditionID, req.Person = person(r) })},
		{Pattern: "POST /v1/editions/{id}/enrolments/{person}/resume", Endpoint: e.Resume, Decode: httpkit.Path(func(r *http.Request) ResumeRequest {
			return ResumeRequest{EditionID: r.PathValue("id"), Person: r.PathValue("person")}
		})},
		{Pattern: "POST /v1/editions/{id}/enrolments/{person}/withdraw", Endpoint: e.Withdraw, Decode: httpkit.Body(func(r *http.Request, req *WithdrawRequest) { req.EditionID, req.Person = person(r) })},
		{Pattern: "PUT /v1/editions/{id}/enrolments/{person}/internship", Endpoint: e.PlaceIntern, Decode: httpkit.Body(func(r *http.Request, req *PlaceInternRequest) { req.EditionID, req.Person = person(r) })},
		{Pattern: "POST /v1/editions/{id}/enrolments/{person}/internship/days", Endpoint: e.RecordHours, Decode: decodeRecordHours},
		{Pattern: "PUT /v1/editions/{id}/enrolments/{person}/internship/evaluation", Endpoint: e.Evaluate, Decode: httpkit.Body(func(r *http.Request, req *EvaluateRequest) { req.EditionID, req.Person = person(r) })},
		{Pattern: "POST /v1/editions/{id}/modules/{module}/close", Endpoint: e.CloseModule, Decode: httpkit.Path(func(r *http.Request) CloseModuleRequest {
			return CloseModuleRequest{EditionID: r.PathValue("id"), ModuleID: r.PathValue("module")}
		})},
		{Pattern: "POST /v1/editions/{id}/exam", Endpoint: e.RecordExam, Decode: DecodeRecordExam},
		{Pattern: "GET /v1/editions/{id}/registers.csv", Endpoint: e.ExportRegisters, Decode: export, Encode: encodeCSV},
		{Pattern: "GET /v1/editions/{id}/roster.csv", Endpoint: e.ExportRoster, Decode: export, Encode: encodeCSV},
		{Pattern: "GET /v1/lessons/{id}", Endpoint: e.GetLesson, Decode: lesson},
		{Pattern: "POST /v1/editions/{id}/lessons", Endpoint: e.AddLesson, Decode: decodeAddLesson},
		{Pattern: "POST /v1/lessons/{id}/cancel", Endpoint: e.CancelLesson, Decode: lesson},
		{Pattern: "POST /v1/lessons/{id}/move", Endpoint: e.MoveLesson, Decode: decodeMoveLesson},
		{Pattern: "PUT /v1/lessons/{id}/register", Endpoint: e.RecordRegister, Decode: DecodeRecordRegister},
		{Pattern: "PATCH /v1/lessons/{id}/register", Endpoint: e.CorrectRegister, Decode: DecodeCorrectRegister},
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
	if in.Start, err = endpointkit.Time("start", body.Start); err != nil {
		return nil, err
	}
	if in.End, err = endpointkit.Time("end", body.End); err != nil {
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
		start, err := endpointkit.Time(place+".start", l.Start)
		if err != nil {
			return nil, err
		}
		in.Lessons[i] = domain.Lesson{ID: l.ID, ModuleID: l.ModuleID, Start: start, Minutes: l.Minutes}
	}
	return CreateEditionRequest{Edition: in}, nil
}

func decodeRecordHours(_ context.Context, r *http.Request) (any, error) {
	var body struct {
		Day     string `json:"day"`
		Minutes int    `json:"minutes"`
	}
	if err := httpkit.Decode(r, &body); err != nil {
		return nil, err
	}
	day, err := endpointkit.Date("day", body.Day, nil)
	if err != nil {
		return nil, err
	}
	return RecordHoursRequest{EditionID: r.PathValue("id"), Person: r.PathValue("person"), Day: day, Minutes: body.Minutes}, nil
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
	heldOn, err := endpointkit.Date("held_on", body.HeldOn, nil)
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
	start, err := endpointkit.Time("start", body.Start)
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
	start, err := endpointkit.Time("start", body.Start)
	if err != nil {
		return nil, err
	}
	return MoveLessonRequest{LessonID: r.PathValue("id"), Start: start, Minutes: body.Minutes}, nil
}

// DecodeRecordRegister reads a register submission.
func DecodeRecordRegister(_ context.Context, r *http.Request) (any, error) {
	marks, err := registerjson.DecodeMarks(r)
	return RecordRegisterRequest{LessonID: r.PathValue("id"), Marks: marks}, err
}

// DecodeCorrectRegister reads a correction: the reason and the new lines.
func DecodeCorrectRegister(_ context.Context, r *http.Request) (any, error) {
	marks, reason, err := registerjson.DecodeCorrection(r)
	return CorrectRegisterRequest{LessonID: r.PathValue("id"), Reason: reason, Marks: marks}, err
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

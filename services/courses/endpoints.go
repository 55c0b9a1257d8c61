package courses

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/go-kit/kit/endpoint"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/endpointkit"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/instrument"
	"github.com/percorsi/percorsi/pkg/register"
	"github.com/percorsi/percorsi/pkg/register/registerjson"
	"github.com/percorsi/percorsi/services/courses/domain"
)

// Endpoints are the courses use cases as go-kit endpoints, shared by every
// transport.
type Endpoints struct {
	PutCourse       endpoint.Endpoint
	CreateClass     endpoint.Endpoint
	Today           endpoint.Endpoint
	AddLesson       endpoint.Endpoint
	CancelLesson    endpoint.Endpoint
	MoveLesson      endpoint.Endpoint
	GetLesson       endpoint.Endpoint
	RecordRegister  endpoint.Endpoint
	CorrectRegister endpoint.Endpoint
	Attendance      endpoint.Endpoint
	Enrol           endpoint.Endpoint
	ImportRoster    endpoint.Endpoint
	Withdraw        endpoint.Endpoint
	Suspend         endpoint.Endpoint
	Transfer        endpoint.Endpoint
	Assess          endpoint.Endpoint
	Certify         endpoint.Endpoint
	Records         endpoint.Endpoint
}

// MakeEndpoints puts each use case in the one chain, open to teachers and
// coordinators; which class each may touch is the use case's to say.
func MakeEndpoints(s *Service, v auth.Verifier, log *slog.Logger, m *instrument.Metrics) Endpoints {
	c, roles := endpointkit.Chain{Verifier: v, Log: log, Metrics: m}, []auth.Role{auth.Teacher, auth.Coordinator}
	return Endpoints{
		PutCourse:       endpointkit.Use(c, "put_course", s.putCourse, roles...),
		CreateClass:     endpointkit.Use(c, "create_class", s.createClass, roles...),
		Today:           endpointkit.Use(c, "today", s.today, roles...),
		AddLesson:       endpointkit.Use(c, "add_lesson", s.addLesson, roles...),
		CancelLesson:    endpointkit.Use(c, "cancel_lesson", s.cancelLesson, roles...),
		MoveLesson:      endpointkit.Use(c, "move_lesson", s.moveLesson, roles...),
		GetLesson:       endpointkit.Use(c, "get_lesson", s.getLesson, roles...),
		RecordRegister:  endpointkit.Use(c, "record_register", s.recordRegister, roles...),
		CorrectRegister: endpointkit.Use(c, "correct_register", s.correctRegister, roles...),
		Attendance:      endpointkit.Use(c, "attendance", s.attendance, roles...),
		Enrol:           endpointkit.Use(c, "enrol", s.enrol, roles...),
		ImportRoster:    endpointkit.Use(c, "import_roster", s.importRoster, roles...),
		Withdraw:        endpointkit.Use(c, "withdraw", s.withdraw, roles...),
		Suspend:         endpointkit.Use(c, "suspend", s.suspend, roles...),
		Transfer:        endpointkit.Use(c, "transfer", s.transfer, roles...),
		Assess:          endpointkit.Use(c, "assess", s.assess, roles...),
		Certify:         endpointkit.Use(c, "certify", s.certify, roles...),
		Records:         endpointkit.Use(c, "records", s.records, roles...),
	}
}

// Created answers 201 or, for a retry of what is already stored, 200.
type Created struct {
	created bool
}

// StatusCode implements kithttp.StatusCoder.
func (c Created) StatusCode() int {
	if c.created {
		return http.StatusCreated
	}
	return http.StatusOK
}

// OK is the answer of a change with nothing else to say.
type OK struct {
	OK bool `json:"ok"`
}

// CourseRequest creates or replaces a course of the catalogue.
type CourseRequest struct {
	ID            string `json:"-"`
	Kind          string `json:"kind"`
	Title         string `json:"title"`
	TotalHours    int    `json:"total_hours"`
	TargetLevel   string `json:"target_level"`
	TargetDigComp int    `json:"target_digcomp"`
}

func (s *Service) putCourse(ctx context.Context, r CourseRequest) (OK, error) {
	c := &domain.Course{
		ID: r.ID, Kind: domain.CourseKind(r.Kind), Title: r.Title, TotalHours: r.TotalHours,
		TargetLevel: domain.Level(r.TargetLevel), TargetDigComp: r.TargetDigComp,
	}
	return OK{true}, s.PutCourse(ctx, c)
}

// ClassRequest creates a class; lessons are generated from the schedule.
type ClassRequest struct {
	ID        string     `json:"-"`
	CourseID  string     `json:"course_id"`
	Title     string     `json:"title"`
	Site      string     `json:"site"`
	Teachers  []string   `json:"teachers"`
	Schedule  []SlotJSON `json:"schedule"`
	StartDate string     `json:"start_date"`
	EndDate   string     `json:"end_date"`
	Capacity  int        `json:"capacity"`
}

// SlotJSON is a weekly meeting: "monday", "09:00", 120.
type SlotJSON struct {
	Weekday string `json:"weekday"`
	Start   string `json:"start"`
	Minutes int    `json:"minutes"`
}

// ClassCreated answers a class creation.
type ClassCreated struct {
	Created
	ID      string `json:"id"`
	Lessons int    `json:"lessons"`
}

var weekdays = []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

func (s *Service) createClass(ctx context.Context, r ClassRequest) (ClassCreated, error) {
	c := &domain.Class{ID: r.ID, CourseID: r.CourseID, Title: r.Title, Site: r.Site, Teachers: r.Teachers, Capacity: r.Capacity}
	var err error
	if c.StartDate, err = endpointkit.Date("start_date", r.StartDate, s.cfg.Location); err != nil {
		return ClassCreated{}, err
	}
	if c.EndDate, err = endpointkit.Date("end_date", r.EndDate, s.cfg.Location); err != nil {
		return ClassCreated{}, err
	}
	for i, sl := range r.Schedule {
		d := slices.Index(weekdays, strings.ToLower(sl.Weekday))
		if d < 0 {
			return ClassCreated{}, errcode.New(errcode.Invalid, fmt.Sprintf("schedule[%d].weekday", i), "must be a day of the week such as monday")
		}
		c.Schedule = append(c.Schedule, domain.Slot{Weekday: time.Weekday(d), Start: sl.Start, Minutes: sl.Minutes})
	}
	created, n, err := s.CreateClass(ctx, c)
	if err != nil {
		return ClassCreated{}, err
	}
	return ClassCreated{Created: Created{created}, ID: r.ID, Lessons: n}, nil
}

// TodayRequest asks for the caller's lessons of a day (today if empty).
type TodayRequest struct {
	Date string
}

// TodayResponse lists the lessons of the day with their class.
type TodayResponse struct {
	Date    string            `json:"date"`
	Lessons []TodayLessonJSON `json:"lessons"`
}

// TodayLessonJSON is one lesson of the day.
type TodayLessonJSON struct {
	LessonJSON
	ClassTitle string `json:"class_title"`
	Site       string `json:"site"`
	Expected   int    `json:"expected"`
}

func (s *Service) today(ctx context.Context, r TodayRequest) (TodayResponse, error) {
	at := s.now()
	if r.Date != "" {
		d, err := endpointkit.Date("date", r.Date, s.cfg.Location)
		if err != nil {
			return TodayResponse{}, err
		}
		at = d.Add(12 * time.Hour)
	}
	lessons, classes, err := s.Today(ctx, at)
	if err != nil {
		return TodayResponse{}, err
	}
	resp := TodayResponse{Date: endpointkit.FormatDate(at.In(s.cfg.Location)), Lessons: []TodayLessonJSON{}}
	for _, l := range lessons {
		c := classes[l.ClassID]
		resp.Lessons = append(resp.Lessons, TodayLessonJSON{LessonJSON: lessonJSON(l), ClassTitle: c.Title, Site: c.Site, Expected: len(c.Expected())})
	}
	return resp, nil
}

// LessonTimeRequest adds a lesson to a class, or moves one.
type LessonTimeRequest struct {
	ClassID  string `json:"-"`
	LessonID string `json:"-"`
	Start    string `json:"start"`
	Minutes  int    `json:"minutes"`
}

// AddedLesson answers 201 with the new lesson.
type AddedLesson struct {
	Created
	LessonJSON
}

func (s *Service) addLesson(ctx context.Context, r LessonTimeRequest) (AddedLesson, error) {
	start, err := endpointkit.Time("start", r.Start)
	if err != nil {
		return AddedLesson{}, err
	}
	l, err := s.AddLesson(ctx, r.ClassID, start, r.Minutes)
	if err != nil {
		return AddedLesson{}, err
	}
	return AddedLesson{Created: Created{true}, LessonJSON: lessonJSON(l)}, nil
}

func (s *Service) moveLesson(ctx context.Context, r LessonTimeRequest) (LessonJSON, error) {
	start, err := endpointkit.Time("start", r.Start)
	if err != nil {
		return LessonJSON{}, err
	}
	l, err := s.MoveLesson(ctx, r.LessonID, start, r.Minutes)
	if err != nil {
		return LessonJSON{}, err
	}
	return lessonJSON(l), nil
}

// GetLessonRequest asks for a lesson to mark.
type GetLessonRequest struct {
	LessonID string
}

func (s *Service) cancelLesson(ctx context.Context, r GetLessonRequest) (LessonJSON, error) {
	l, err := s.CancelLesson(ctx, r.LessonID)
	if err != nil {
		return LessonJSON{}, err
	}
	return lessonJSON(l), nil
}

// LessonResponse is a lesson with its class roster and register, if any.
type LessonResponse struct {
	Lesson   LessonJSON    `json:"lesson"`
	Class    ClassJSON     `json:"class"`
	Register *RegisterJSON `json:"register"`
	// Locked says the caller may no longer correct the register.
	Locked bool `json:"locked"`
}

// LessonJSON is a lesson on the wire.
type LessonJSON struct {
	ID      string    `json:"id"`
	ClassID string    `json:"class_id"`
	Start   time.Time `json:"start"`
	Minutes int       `json:"minutes"`
	Status  string    `json:"status"`
	Extra   bool      `json:"extra,omitempty"`
}

func lessonJSON(l *domain.Lesson) LessonJSON {
	return LessonJSON{ID: l.ID, ClassID: l.ClassID, Start: l.Start, Minutes: l.Minutes, Status: string(l.Status), Extra: l.Extra}
}

// ClassJSON is a class on the wire, its people by display name with their
// attendance figures.
type ClassJSON struct {
	ID             string          `json:"id"`
	Title          string          `json:"title"`
	CourseKind     string          `json:"course_kind"`
	PlannedMinutes int             `json:"planned_minutes"`
	Roster         []EnrolmentJSON `json:"roster"`
	Waiting        []WaitingJSON   `json:"waiting,omitempty"`
}

// EnrolmentJSON is one person in a roster.
type EnrolmentJSON struct {
	Person      string `json:"person"`
	DisplayName string `json:"display_name"`
	Status      string `json:"status"`
	Reason      string `json:"reason,omitempty"`
	// Figures: minutes attended and held (hours carried from a transfer
	// included), the rate in percent, the run of unexcused absences, and
	// whether the attendance reaches the admission share.
	MinutesAttended     int     `json:"minutes_attended"`
	MinutesHeld         int     `json:"minutes_held"`
	RatePercent         float64 `json:"rate_percent"`
	ConsecutiveAbsences int     `json:"consecutive_absences"`
	AdmittedToFinal     bool    `json:"admitted_to_final"`
	TransferredFrom     string  `json:"transferred_from,omitempty"`
	TransferredTo       string  `json:"transferred_to,omitempty"`
}

// WaitingJSON is one person on the waiting list.
type WaitingJSON struct {
	Person      string `json:"person"`
	DisplayName string `json:"display_name"`
}

func (s *Service) classJSON(c *domain.Class) ClassJSON {
	out := ClassJSON{ID: c.ID, Title: c.Title, CourseKind: string(c.CourseKind), PlannedMinutes: c.PlannedMinutes, Roster: []EnrolmentJSON{}}
	for i := range c.Roster {
		e := &c.Roster[i]
		out.Roster = append(out.Roster, EnrolmentJSON{
			Person: e.Person, DisplayName: e.DisplayName, Status: string(e.Status), Reason: string(e.Reason),
			MinutesAttended: e.Figures.MinutesAttended, MinutesHeld: e.Figures.MinutesHeld,
			RatePercent: float64(e.Figures.RateBP()) / 100, ConsecutiveAbsences: e.Figures.ConsecutiveAbsences,
			AdmittedToFinal: c.Admitted(e, s.cfg.AdmissionShareBP), TransferredFrom: e.TransferredFrom, TransferredTo: e.TransferredTo,
		})
	}
	for _, w := range c.Waiting {
		out.Waiting = append(out.Waiting, WaitingJSON{Person: w.Person, DisplayName: w.DisplayName})
	}
	return out
}

func (s *Service) getLesson(ctx context.Context, r GetLessonRequest) (LessonResponse, error) {
	v, err := s.Lesson(ctx, r.LessonID)
	if err != nil {
		return LessonResponse{}, err
	}
	resp := LessonResponse{Lesson: lessonJSON(v.Lesson), Class: s.classJSON(v.Class), Locked: v.Locked}
	if v.Register != nil {
		reg := registerJSON(v.Register, v.Class)
		resp.Register = &reg
	}
	return resp, nil
}

// RecordRegisterRequest is a lesson's register as a teacher submits it.
type RecordRegisterRequest struct {
	LessonID string
	Marks    []register.Mark
}

// RegisterJSON is a stored register.
type RegisterJSON struct {
	LessonID string `json:"lesson_id"`
	ClassID  string `json:"class_id"`
	registerjson.Sheet
	Corrections []registerjson.Correction `json:"corrections,omitempty"`
}

// RegisterResponse answers a submission: 201 when stored now, 200 when the
// same register was already stored.
type RegisterResponse struct {
	Created
	Register RegisterJSON `json:"register"`
}

func (s *Service) recordRegister(ctx context.Context, r RecordRegisterRequest) (RegisterResponse, error) {
	reg, created, err := s.RecordRegister(ctx, r.LessonID, r.Marks)
	if err != nil {
		return RegisterResponse{}, err
	}
	return RegisterResponse{Created: Created{created}, Register: registerJSON(reg, nil)}, nil
}

// CorrectRegisterRequest changes lines of a recorded register.
type CorrectRegisterRequest struct {
	LessonID string
	Marks    []register.Mark
	Reason   string
}

func (s *Service) correctRegister(ctx context.Context, r CorrectRegisterRequest) (RegisterResponse, error) {
	reg, err := s.CorrectRegister(ctx, r.LessonID, r.Marks, r.Reason)
	if err != nil {
		return RegisterResponse{}, err
	}
	return RegisterResponse{Created: Created{false}, Register: registerJSON(reg, nil)}, nil
}

func registerJSON(r *domain.Register, class *domain.Class) RegisterJSON {
	names := map[string]string{}
	if class != nil {
		for _, e := range class.Roster {
			names[e.Person] = e.DisplayName
		}
	}
	name := func(p string) string { return names[p] }
	return RegisterJSON{
		LessonID: r.LessonID, ClassID: r.ClassID, Sheet: registerjson.FromSheet(r.Sheet, name),
		Corrections: registerjson.FromCorrections(r.Corrections, name),
	}
}

// ClassIDRequest names a class.
type ClassIDRequest struct {
	ClassID string
}

// AttendanceResponse is a class's roster with each person's figures.
type AttendanceResponse struct {
	Class            ClassJSON `json:"class"`
	AdmissionPercent float64   `json:"admission_percent"`
}

func (s *Service) attendance(ctx context.Context, r ClassIDRequest) (AttendanceResponse, error) {
	c, err := s.Attendance(ctx, r.ClassID)
	if err != nil {
		return AttendanceResponse{}, err
	}
	return AttendanceResponse{Class: s.classJSON(c), AdmissionPercent: float64(s.cfg.AdmissionShareBP) / 100}, nil
}

// EnrolRequest gives a person a place in a class.
type EnrolRequest struct {
	ClassID     string `json:"-"`
	Person      string `json:"person"`
	DisplayName string `json:"display_name"`
}

// EnrolResponse says whether the person got a place or waits for one.
type EnrolResponse struct {
	Created
	Status string `json:"status"` // enrolled or waiting
}

func (s *Service) enrol(ctx context.Context, r EnrolRequest) (EnrolResponse, error) {
	waiting, err := s.Enrol(ctx, r.ClassID, r.Person, r.DisplayName)
	if err != nil {
		return EnrolResponse{}, err
	}
	if waiting {
		return EnrolResponse{Created: Created{true}, Status: "waiting"}, nil
	}
	return EnrolResponse{Created: Created{true}, Status: string(domain.Enrolled)}, nil
}

// ImportRosterRequest is a roster read from CSV.
type ImportRosterRequest struct {
	ClassID string
	Rows    []RosterRow
}

// ImportReport says what became of each line.
type ImportReport struct {
	Enrolled int           `json:"enrolled"`
	Waiting  int           `json:"waiting"`
	Rejected int           `json:"rejected"`
	Lines    []LineOutcome `json:"lines"`
}

// LineOutcome is one line of an import's report.
type LineOutcome struct {
	Line    int    `json:"line"`
	Person  string `json:"person"`
	Outcome string `json:"outcome"`
	Field   string `json:"field,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

func (s *Service) importRoster(ctx context.Context, r ImportRosterRequest) (ImportReport, error) {
	outcomes, err := s.ImportRoster(ctx, r.ClassID, r.Rows)
	if err != nil {
		return ImportReport{}, err
	}
	rep := ImportReport{Lines: []LineOutcome{}}
	for _, o := range outcomes {
		switch o.Outcome {
		case "enrolled":
			rep.Enrolled++
		case "waiting":
			rep.Waiting++
		default:
			rep.Rejected++
		}
		rep.Lines = append(rep.Lines, LineOutcome(o))
	}
	return rep, nil
}

// PersonRequest acts on one person of a class.
type PersonRequest struct {
	ClassID   string `json:"-"`
	Person    string `json:"-"`
	Reason    string `json:"reason"`
	Note      string `json:"note"`
	ToClassID string `json:"to_class_id"`
	suspend   bool
}

func (s *Service) withdraw(ctx context.Context, r PersonRequest) (OK, error) {
	return OK{true}, s.Withdraw(ctx, r.ClassID, r.Person, domain.WithdrawReason(r.Reason), r.Note)
}

func (s *Service) suspend(ctx context.Context, r PersonRequest) (OK, error) {
	return OK{true}, s.Suspend(ctx, r.ClassID, r.Person, r.suspend)
}

func (s *Service) transfer(ctx context.Context, r PersonRequest) (OK, error) {
	return OK{true}, s.Transfer(ctx, r.ClassID, r.Person, r.ToClassID)
}

// AssessRequest records an assessment of a person of a class.
type AssessRequest struct {
	ClassID       string            `json:"-"`
	Person        string            `json:"person"`
	Kind          string            `json:"kind"`
	CefrOverall   string            `json:"cefr_overall"`
	CefrBySkill   map[string]string `json:"cefr_by_skill"`
	DigCompByArea map[string]int    `json:"digcomp_by_area"`
}

// AssessResponse names the stored assessment.
type AssessResponse struct {
	Created
	ID string `json:"id"`
}

func (s *Service) assess(ctx context.Context, r AssessRequest) (AssessResponse, error) {
	a := &domain.Assessment{
		ClassID: r.ClassID, Person: r.Person, Kind: domain.AssessmentKind(r.Kind), Overall: domain.Level(r.CefrOverall), ByArea: r.DigCompByArea,
	}
	if len(r.CefrBySkill) > 0 {
		a.BySkill = map[string]domain.Level{}
		for sk, l := range r.CefrBySkill {
			a.BySkill[sk] = domain.Level(l)
		}
	}
	if err := s.Assess(ctx, a); err != nil {
		return AssessResponse{}, err
	}
	return AssessResponse{Created: Created{true}, ID: a.ID}, nil
}

// CertificateResponse is an issued certificate.
type CertificateResponse struct {
	Created
	ID     string    `json:"id"`
	Person string    `json:"person"`
	Level  string    `json:"cefr_level,omitempty"`
	ByArea any       `json:"digcomp_by_area,omitempty"`
	At     time.Time `json:"issued_at"`
}

func (s *Service) certify(ctx context.Context, r PersonRequest) (CertificateResponse, error) {
	c, issued, err := s.Certify(ctx, r.ClassID, r.Person)
	if err != nil {
		return CertificateResponse{}, err
	}
	resp := CertificateResponse{Created: Created{issued}, ID: c.ID, Person: c.Person, Level: string(c.Assessment.Overall), At: c.At}
	if len(c.Assessment.ByArea) > 0 {
		resp.ByArea = c.Assessment.ByArea
	}
	return resp, nil
}

// RecordsRequest asks for a class's register export (Month empty) or the
// attendance summary of a month ("2026-11").
type RecordsRequest struct {
	ClassID string
	Month   string
}

// CSV is a table for the secretariat, written as text/csv.
type CSV struct {
	Name string
	Rows [][]string
}

func (s *Service) records(ctx context.Context, r RecordsRequest) (CSV, error) {
	var month time.Time
	if r.Month != "" {
		m, err := time.ParseInLocation("2006-01", r.Month, s.cfg.Location)
		if err != nil {
			return CSV{}, errcode.New(errcode.Invalid, "month", "must be a month such as 2026-11")
		}
		month = m
	}
	recs, err := s.Records(ctx, r.ClassID)
	if err != nil {
		return CSV{}, err
	}
	if month.IsZero() {
		return CSV{Name: r.ClassID + "-register.csv", Rows: registerRows(recs, s.cfg.Location)}, nil
	}
	return CSV{Name: r.ClassID + "-" + r.Month + ".csv", Rows: monthRows(recs, month)}, nil
}

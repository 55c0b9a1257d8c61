package training

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/go-kit/kit/endpoint"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/endpointkit"
	"github.com/percorsi/percorsi/pkg/instrument"
	"github.com/percorsi/percorsi/pkg/register"
	"github.com/percorsi/percorsi/pkg/register/registerjson"
	"github.com/percorsi/percorsi/services/training/domain"
)

// Endpoints are the training use cases as go-kit endpoints, shared by every
// transport.
type Endpoints struct {
	PutCourse       endpoint.Endpoint
	GetCourse       endpoint.Endpoint
	CreateEdition   endpoint.Endpoint
	GetEdition      endpoint.Endpoint
	ListEditions    endpoint.Endpoint
	Enrol           endpoint.Endpoint
	Suspend         endpoint.Endpoint
	Resume          endpoint.Endpoint
	Withdraw        endpoint.Endpoint
	PlaceIntern     endpoint.Endpoint
	RecordHours     endpoint.Endpoint
	Evaluate        endpoint.Endpoint
	CloseModule     endpoint.Endpoint
	RecordExam      endpoint.Endpoint
	GetLesson       endpoint.Endpoint
	RecordRegister  endpoint.Endpoint
	CorrectRegister endpoint.Endpoint
	AddLesson       endpoint.Endpoint
	CancelLesson    endpoint.Endpoint
	MoveLesson      endpoint.Endpoint
	ExportRegisters endpoint.Endpoint
	ExportRoster    endpoint.Endpoint
}

// MakeEndpoints puts each use case in the one chain, open to the roles
// named.
func MakeEndpoints(s *Service, v auth.Verifier, log *slog.Logger, m *instrument.Metrics) Endpoints {
	c, staff := endpointkit.Chain{Verifier: v, Log: log, Metrics: m}, []auth.Role{auth.Trainer, auth.Coordinator}
	change := endpointkit.Typed(s.changeEdition)
	return Endpoints{
		PutCourse:       endpointkit.Use(c, "put_course", s.putCourse, auth.Coordinator),
		GetCourse:       endpointkit.Use(c, "get_course", s.getCourse, staff...),
		CreateEdition:   endpointkit.Use(c, "create_edition", s.createEdition, auth.Coordinator),
		GetEdition:      endpointkit.Use(c, "get_edition", s.getEdition, staff...),
		ListEditions:    endpointkit.Use(c, "list_editions", s.listEditions, staff...),
		Enrol:           c.Wrap("enrol", change, staff...),
		Suspend:         c.Wrap("suspend", change, staff...),
		Resume:          c.Wrap("resume", change, staff...),
		Withdraw:        c.Wrap("withdraw", change, staff...),
		PlaceIntern:     c.Wrap("place_intern", change, staff...),
		RecordHours:     c.Wrap("record_internship_hours", change, staff...),
		Evaluate:        c.Wrap("evaluate_internship", change, staff...),
		CloseModule:     c.Wrap("close_module", change, staff...),
		RecordExam:      c.Wrap("record_exam", change, staff...),
		GetLesson:       endpointkit.Use(c, "get_lesson", s.getLesson, staff...),
		RecordRegister:  endpointkit.Use(c, "record_register", s.recordRegister, staff...),
		CorrectRegister: endpointkit.Use(c, "correct_register", s.correctRegister, staff...),
		AddLesson:       endpointkit.Use(c, "add_lesson", s.addLesson, staff...),
		CancelLesson:    endpointkit.Use(c, "cancel_lesson", s.cancelLesson, staff...),
		MoveLesson:      endpointkit.Use(c, "move_lesson", s.moveLesson, staff...),
		ExportRegisters: endpointkit.Use(c, "export_registers", s.exportRegisters, staff...),
		ExportRoster:    endpointkit.Use(c, "export_roster", s.exportRoster, staff...),
	}
}

// CourseJSON is a course on the wire.
type CourseJSON struct {
	ID              string       `json:"id"`
	Title           string       `json:"title"`
	RepertoireCode  string       `json:"repertoire_code"`
	Region          string       `json:"region"`
	Sector          string       `json:"sector"`
	Provider        string       `json:"provider"`
	EQFLevel        int          `json:"eqf_level"`
	ESCOOccupation  string       `json:"esco_occupation,omitempty"`
	MinAttendanceBP int          `json:"min_attendance_bp"`
	Modules         []ModuleJSON `json:"modules"`
	Units           []UnitJSON   `json:"units"`
}

// ModuleJSON is a module of a course.
type ModuleJSON struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Kind  string `json:"kind"`
	Hours int    `json:"hours"`
}

// UnitJSON is a unit of competence with its ESCO skills.
type UnitJSON struct {
	Code       string   `json:"code"`
	Title      string   `json:"title"`
	ESCOSkills []string `json:"esco_skills"`
}

func (j CourseJSON) domain() *domain.Course {
	c := &domain.Course{
		ID: j.ID, Title: j.Title, RepertoireCode: j.RepertoireCode, Region: j.Region, Sector: j.Sector, Provider: j.Provider,
		EQFLevel: j.EQFLevel, ESCOOccupation: j.ESCOOccupation, MinAttendanceBP: j.MinAttendanceBP,
	}
	for _, m := range j.Modules {
		c.Modules = append(c.Modules, domain.Module{ID: m.ID, Title: m.Title, Kind: domain.ModuleKind(m.Kind), Hours: m.Hours})
	}
	for _, u := range j.Units {
		c.Units = append(c.Units, domain.Unit{Code: u.Code, Title: u.Title, ESCOSkills: u.ESCOSkills})
	}
	return c
}

func courseJSON(c *domain.Course) CourseJSON {
	j := CourseJSON{
		ID: c.ID, Title: c.Title, RepertoireCode: c.RepertoireCode, Region: c.Region, Sector: c.Sector, Provider: c.Provider,
		EQFLevel: c.EQFLevel, ESCOOccupation: c.ESCOOccupation, MinAttendanceBP: c.MinAttendanceBP,
		Modules: []ModuleJSON{}, Units: []UnitJSON{},
	}
	for _, m := range c.Modules {
		j.Modules = append(j.Modules, ModuleJSON{ID: m.ID, Title: m.Title, Kind: string(m.Kind), Hours: m.Hours})
	}
	for _, u := range c.Units {
		j.Units = append(j.Units, UnitJSON{Code: u.Code, Title: u.Title, ESCOSkills: u.ESCOSkills})
	}
	return j
}

// PutCourseRequest creates or replaces a course.
type PutCourseRequest struct{ Course CourseJSON }

func (s *Service) putCourse(ctx context.Context, req PutCourseRequest) (CourseJSON, error) {
	c := req.Course.domain()
	if err := s.PutCourse(ctx, c); err != nil {
		return CourseJSON{}, err
	}
	return courseJSON(c), nil
}

// GetCourseRequest asks for a course.
type GetCourseRequest struct{ CourseID string }

func (s *Service) getCourse(ctx context.Context, req GetCourseRequest) (CourseJSON, error) {
	c, err := s.Course(ctx, req.CourseID)
	if err != nil {
		return CourseJSON{}, err
	}
	return courseJSON(c), nil
}

// LessonJSON is a scheduled lesson.
type LessonJSON struct {
	ID        string    `json:"id"`
	EditionID string    `json:"edition_id,omitempty"`
	ModuleID  string    `json:"module_id"`
	Start     time.Time `json:"start"`
	Minutes   int       `json:"minutes"`
	Cancelled bool      `json:"cancelled,omitempty"`
	// Recorded: its register is recorded; it can no longer be moved or
	// cancelled.
	Recorded bool `json:"recorded,omitempty"`
	Extra    bool `json:"extra,omitempty"` // added after the edition was planned
}

func lessonJSON(l *domain.Lesson) LessonJSON {
	return LessonJSON{ID: l.ID, EditionID: l.EditionID, ModuleID: l.ModuleID, Start: l.Start, Minutes: l.Minutes, Cancelled: l.Cancelled, Recorded: l.Recorded, Extra: l.Extra}
}

// AddLessonRequest adds an extra lesson to an edition.
type AddLessonRequest struct {
	EditionID string
	Lesson    domain.Lesson
}

// MoveLessonRequest gives a lesson a new start and length.
type MoveLessonRequest struct {
	LessonID string
	Start    time.Time
	Minutes  int
}

// LessonChangeResponse is a lesson after a change, 201 when just added.
type LessonChangeResponse struct {
	Lesson  LessonJSON `json:"lesson"`
	created bool
}

// StatusCode implements kithttp.StatusCoder.
func (r LessonChangeResponse) StatusCode() int {
	if r.created {
		return http.StatusCreated
	}
	return http.StatusOK
}

func (s *Service) addLesson(ctx context.Context, req AddLessonRequest) (LessonChangeResponse, error) {
	l, created, err := s.AddLesson(ctx, req.EditionID, req.Lesson)
	if err != nil {
		return LessonChangeResponse{}, err
	}
	return LessonChangeResponse{Lesson: lessonJSON(l), created: created}, nil
}

func (s *Service) cancelLesson(ctx context.Context, req GetLessonRequest) (LessonChangeResponse, error) {
	l, err := s.CancelLesson(ctx, req.LessonID)
	if err != nil {
		return LessonChangeResponse{}, err
	}
	return LessonChangeResponse{Lesson: lessonJSON(l)}, nil
}

func (s *Service) moveLesson(ctx context.Context, req MoveLessonRequest) (LessonChangeResponse, error) {
	l, err := s.MoveLesson(ctx, req.LessonID, req.Start, req.Minutes)
	if err != nil {
		return LessonChangeResponse{}, err
	}
	return LessonChangeResponse{Lesson: lessonJSON(l)}, nil
}

// CreateEditionRequest plans an edition with its schedule.
type CreateEditionRequest struct{ Edition NewEdition }

// EditionResponse is an edition, 201 when just created.
type EditionResponse struct {
	Edition EditionJSON `json:"edition"`
	created bool
}

// StatusCode implements kithttp.StatusCoder.
func (r EditionResponse) StatusCode() int {
	if r.created {
		return http.StatusCreated
	}
	return http.StatusOK
}

func (s *Service) createEdition(ctx context.Context, req CreateEditionRequest) (EditionResponse, error) {
	e, err := s.CreateEdition(ctx, req.Edition)
	if err != nil {
		return EditionResponse{}, err
	}
	return EditionResponse{Edition: editionJSON(e, nil, nil), created: true}, nil
}

// EditionJSON is an edition and its roster, people by display name.
type EditionJSON struct {
	ID            string          `json:"id"`
	CourseID      string          `json:"course_id"`
	Organisation  string          `json:"organisation"`
	Trainers      []string        `json:"trainers"`
	Start         time.Time       `json:"start"`
	End           time.Time       `json:"end"`
	ClosedModules []string        `json:"closed_modules"`
	Roster        []EnrolmentJSON `json:"roster"`
}

// EnrolmentJSON is one person of a roster.
type EnrolmentJSON struct {
	Person         string         `json:"person"`
	DisplayName    string         `json:"display_name"`
	Status         string         `json:"status"`
	EnrolledAt     time.Time      `json:"enrolled_at"`
	Reason         string         `json:"reason,omitempty"`
	Note           string         `json:"note,omitempty"`
	Modules        []ModuleResult `json:"modules"`
	Internship     *PlacementJSON `json:"internship,omitempty"`
	Exam           *ExamJSON      `json:"exam,omitempty"`
	CertifiedUnits []string       `json:"certified_units"`
	Qualified      bool           `json:"qualified"`
	// In the edition view only: minutes attended so far (lessons and
	// internship) and whether they admit to the exam.
	MinutesAttended *int  `json:"minutes_attended,omitempty"`
	Admitted        *bool `json:"admitted,omitempty"`
}

// ModuleResult is a closed module's figures for one person.
type ModuleResult struct {
	ModuleID        string `json:"module_id"`
	MinutesPlanned  int    `json:"minutes_planned"`
	MinutesAttended int    `json:"minutes_attended"`
	Reached         bool   `json:"reached"`
}

// PlacementJSON is an internship.
type PlacementJSON struct {
	ModuleID     string          `json:"module_id"`
	HostID       string          `json:"host_id"`
	HostName     string          `json:"host_name"`
	Tutor        string          `json:"tutor"`
	PlannedHours int             `json:"planned_hours"`
	MinutesDone  int             `json:"minutes_done"`
	Days         []DayJSON       `json:"days"`
	Evaluation   *EvaluationJSON `json:"evaluation,omitempty"`
}

// DayJSON is a day of internship.
type DayJSON struct {
	Day     string `json:"day"` // YYYY-MM-DD
	Minutes int    `json:"minutes"`
}

// EvaluationJSON is the host tutor's evaluation.
type EvaluationJSON struct {
	Rating int       `json:"rating"`
	Note   string    `json:"note,omitempty"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

// ExamJSON is a person's exam.
type ExamJSON struct {
	HeldOn      time.Time `json:"held_on"`
	Outcome     string    `json:"outcome"`
	Score       int       `json:"score"`
	UnitsPassed []string  `json:"units_passed"`
}

func editionJSON(e *domain.Edition, c *domain.Course, att domain.Attendance) EditionJSON {
	j := EditionJSON{
		ID: e.ID, CourseID: e.CourseID, Organisation: e.Organisation, Trainers: e.Trainers, Start: e.Start, End: e.End,
		ClosedModules: append([]string{}, e.ClosedModules...), Roster: []EnrolmentJSON{},
	}
	for _, en := range e.Roster {
		r := EnrolmentJSON{
			Person: en.Person, DisplayName: en.DisplayName, Status: string(en.Status), EnrolledAt: en.EnrolledAt,
			Reason: string(en.Reason), Note: en.Note, Modules: []ModuleResult{},
			CertifiedUnits: append([]string{}, en.CertifiedUnits...), Qualified: en.Qualified,
		}
		for _, m := range en.Modules {
			r.Modules = append(r.Modules, ModuleResult(m))
		}
		if p := en.Internship; p != nil {
			r.Internship = &PlacementJSON{ModuleID: p.ModuleID, HostID: p.HostID, HostName: p.HostName, Tutor: p.Tutor, PlannedHours: p.PlannedMinutes / 60, MinutesDone: p.Done(), Days: []DayJSON{}}
			for _, d := range p.Days {
				r.Internship.Days = append(r.Internship.Days, DayJSON{Day: d.On.Format(time.DateOnly), Minutes: d.Minutes})
			}
			if ev := p.Evaluation; ev != nil {
				r.Internship.Evaluation = &EvaluationJSON{Rating: ev.Rating, Note: ev.Note, By: ev.By, At: ev.At}
			}
		}
		if x := en.Exam; x != nil {
			r.Exam = &ExamJSON{HeldOn: x.HeldOn, Outcome: string(x.Outcome), Score: x.Score, UnitsPassed: x.UnitsPassed}
		}
		if c != nil {
			minutes, admitted := e.Attended(en.Person, att), e.Admitted(c, en.Person, att)
			r.MinutesAttended, r.Admitted = &minutes, &admitted
		}
		j.Roster = append(j.Roster, r)
	}
	return j
}

// GetEditionRequest asks for an edition.
type GetEditionRequest struct{ EditionID string }

// EditionViewResponse is an edition with its course and schedule.
type EditionViewResponse struct {
	Edition EditionJSON  `json:"edition"`
	Course  CourseJSON   `json:"course"`
	Lessons []LessonJSON `json:"lessons"`
}

func (s *Service) getEdition(ctx context.Context, req GetEditionRequest) (EditionViewResponse, error) {
	v, err := s.Edition(ctx, req.EditionID)
	if err != nil {
		return EditionViewResponse{}, err
	}
	resp := EditionViewResponse{Edition: editionJSON(v.Edition, v.Course, v.Attendance), Course: courseJSON(v.Course), Lessons: []LessonJSON{}}
	recorded := make(map[string]bool, len(v.Registers))
	for _, r := range v.Registers {
		recorded[r.LessonID] = true
	}
	for _, l := range v.Lessons {
		j := lessonJSON(l)
		// A register stored before lessons were marked recorded counts.
		j.Recorded = j.Recorded || recorded[l.ID]
		resp.Lessons = append(resp.Lessons, j)
	}
	return resp, nil
}

// ListEditionsRequest lists the editions the caller may open.
type ListEditionsRequest struct{}

// EditionsResponse is a list of editions.
type EditionsResponse struct {
	Editions []EditionJSON `json:"editions"`
}

func (s *Service) listEditions(ctx context.Context, _ ListEditionsRequest) (EditionsResponse, error) {
	es, err := s.Editions(ctx)
	if err != nil {
		return EditionsResponse{}, err
	}
	resp := EditionsResponse{Editions: []EditionJSON{}}
	for _, e := range es {
		resp.Editions = append(resp.Editions, editionJSON(e, nil, nil))
	}
	return resp, nil
}

// A ChangeRequest is a request that changes an edition; one endpoint
// serves them all.
type ChangeRequest interface {
	apply(ctx context.Context, s *Service) (*domain.Edition, error)
}

func (s *Service) changeEdition(ctx context.Context, req ChangeRequest) (EditionResponse, error) {
	e, err := req.apply(ctx, s)
	if err != nil {
		return EditionResponse{}, err
	}
	return EditionResponse{Edition: editionJSON(e, nil, nil)}, nil
}

// EnrolRequest enrols a person by pseudonym and display name.
type EnrolRequest struct {
	EditionID   string `json:"-"`
	Person      string `json:"person"`
	DisplayName string `json:"display_name"`
}

func (r EnrolRequest) apply(ctx context.Context, s *Service) (*domain.Edition, error) {
	return s.Enrol(ctx, r.EditionID, r.Person, r.DisplayName)
}

// SuspendRequest pauses an enrolment.
type SuspendRequest struct {
	EditionID, Person string `json:"-"`
	Note              string `json:"note"`
}

func (r SuspendRequest) apply(ctx context.Context, s *Service) (*domain.Edition, error) {
	return s.Suspend(ctx, r.EditionID, r.Person, r.Note)
}

// ResumeRequest ends a suspension.
type ResumeRequest struct{ EditionID, Person string }

func (r ResumeRequest) apply(ctx context.Context, s *Service) (*domain.Edition, error) {
	return s.Resume(ctx, r.EditionID, r.Person)
}

// WithdrawRequest ends an enrolment, certifying some units if passed.
type WithdrawRequest struct {
	EditionID, Person string   `json:"-"`
	Reason            string   `json:"reason"`
	Note              string   `json:"note"`
	UnitsCertified    []string `json:"units_certified"`
}

func (r WithdrawRequest) apply(ctx context.Context, s *Service) (*domain.Edition, error) {
	return s.Withdraw(ctx, r.EditionID, r.Person, domain.WithdrawReason(r.Reason), r.Note, r.UnitsCertified)
}

// PlaceInternRequest sets an internship.
type PlaceInternRequest struct {
	EditionID, Person string `json:"-"`
	ModuleID          string `json:"module_id"`
	HostID            string `json:"host_id"`
	HostName          string `json:"host_name"`
	Tutor             string `json:"tutor"`
	PlannedHours      int    `json:"planned_hours"`
}

func (r PlaceInternRequest) apply(ctx context.Context, s *Service) (*domain.Edition, error) {
	return s.PlaceIntern(ctx, r.EditionID, r.Person, domain.Placement{
		ModuleID: r.ModuleID, HostID: r.HostID, HostName: r.HostName, Tutor: r.Tutor, PlannedMinutes: r.PlannedHours * 60,
	})
}

// RecordHoursRequest records a day of internship.
type RecordHoursRequest struct {
	EditionID, Person string
	Day               time.Time
	Minutes           int
}

func (r RecordHoursRequest) apply(ctx context.Context, s *Service) (*domain.Edition, error) {
	return s.RecordHours(ctx, r.EditionID, r.Person, r.Day, r.Minutes)
}

// EvaluateRequest records the host tutor's evaluation.
type EvaluateRequest struct {
	EditionID, Person string `json:"-"`
	Note              string `json:"note"`
	Rating            int    `json:"rating"`
}

func (r EvaluateRequest) apply(ctx context.Context, s *Service) (*domain.Edition, error) {
	return s.Evaluate(ctx, r.EditionID, r.Person, r.Rating, r.Note)
}

// CloseModuleRequest closes a module.
type CloseModuleRequest struct{ EditionID, ModuleID string }

func (r CloseModuleRequest) apply(ctx context.Context, s *Service) (*domain.Edition, error) {
	return s.CloseModule(ctx, r.EditionID, r.ModuleID)
}

// RecordExamRequest records an exam session.
type RecordExamRequest struct {
	EditionID string
	HeldOn    time.Time
	Results   []domain.Result
}

func (r RecordExamRequest) apply(ctx context.Context, s *Service) (*domain.Edition, error) {
	return s.RecordExam(ctx, r.EditionID, r.HeldOn, r.Results)
}

// GetLessonRequest asks for a lesson to mark.
type GetLessonRequest struct{ LessonID string }

// LessonResponse is a lesson, the roster to mark and its register if any.
type LessonResponse struct {
	Lesson   LessonJSON      `json:"lesson"`
	Roster   []EnrolmentJSON `json:"roster"` // the people to mark
	Register *RegisterJSON   `json:"register"`
}

// RegisterJSON is a stored register.
type RegisterJSON struct {
	LessonID  string `json:"lesson_id"`
	EditionID string `json:"edition_id"`
	ModuleID  string `json:"module_id"`
	registerjson.Sheet
	// Corrections is the history of changed lines, oldest first.
	Corrections []registerjson.Correction `json:"corrections"`
}

// registerJSON names people by display name when e is given.
func registerJSON(r *domain.Register, e *domain.Edition) RegisterJSON {
	var names registerjson.Names
	if e != nil {
		names = func(p string) string {
			if en := e.Find(p); en != nil {
				return en.DisplayName
			}
			return ""
		}
	}
	return RegisterJSON{
		LessonID: r.LessonID, EditionID: r.EditionID, ModuleID: r.ModuleID, Sheet: registerjson.FromSheet(r.Sheet, names),
		Corrections: registerjson.FromCorrections(r.Corrections, nil),
	}
}

func (s *Service) getLesson(ctx context.Context, req GetLessonRequest) (LessonResponse, error) {
	v, err := s.Lesson(ctx, req.LessonID)
	if err != nil {
		return LessonResponse{}, err
	}
	resp := LessonResponse{Lesson: lessonJSON(v.Lesson), Roster: []EnrolmentJSON{}}
	resp.Lesson.Recorded = resp.Lesson.Recorded || v.Register != nil
	expected := v.Edition.Expected()
	for _, en := range v.Edition.Roster {
		if slices.Contains(expected, en.Person) {
			resp.Roster = append(resp.Roster, EnrolmentJSON{Person: en.Person, DisplayName: en.DisplayName, Status: string(en.Status), EnrolledAt: en.EnrolledAt, Modules: []ModuleResult{}, CertifiedUnits: []string{}})
		}
	}
	if v.Register != nil {
		r := registerJSON(v.Register, v.Edition)
		resp.Register = &r
	}
	return resp, nil
}

// RecordRegisterRequest is a lesson's register as a trainer submits it.
type RecordRegisterRequest struct {
	LessonID string
	Marks    []register.Mark
}

// RegisterResponse answers a submission: 201 when stored now, 200 when the
// same register was already stored.
type RegisterResponse struct {
	Register RegisterJSON `json:"register"`
	created  bool
}

// StatusCode implements kithttp.StatusCoder.
func (r RegisterResponse) StatusCode() int {
	if r.created {
		return http.StatusCreated
	}
	return http.StatusOK
}

// CorrectRegisterRequest changes some lines of a register, saying why.
type CorrectRegisterRequest struct {
	LessonID string
	Reason   string
	Marks    []register.Mark
}

func (s *Service) correctRegister(ctx context.Context, req CorrectRegisterRequest) (RegisterResponse, error) {
	reg, err := s.CorrectRegister(ctx, req.LessonID, req.Marks, req.Reason)
	if err != nil {
		return RegisterResponse{}, err
	}
	return RegisterResponse{Register: registerJSON(reg, nil)}, nil
}

func (s *Service) recordRegister(ctx context.Context, req RecordRegisterRequest) (RegisterResponse, error) {
	reg, created, err := s.RecordRegister(ctx, req.LessonID, req.Marks)
	if err != nil {
		return RegisterResponse{}, err
	}
	return RegisterResponse{Register: registerJSON(reg, nil), created: created}, nil
}

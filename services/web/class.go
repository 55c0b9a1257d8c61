package web

import (
	"context"
	"math"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/go-kit/kit/endpoint"

	"github.com/percorsi/percorsi/pkg/errcode"
)

// nearMargin is how many percentage points above the admission threshold a
// rate still counts as close to it: a few absences from falling below.
const nearMargin = 10.0

// classRow is one person on the class page.
type classRow struct {
	Name                string
	Rate                string // "82%"
	RateValue           float64
	Hours               string // attended, e.g. "12 h 30 min"
	Held                string // held so far
	ConsecutiveAbsences int
	Standing            string // "below", "near" or "ok"
}

type classData struct {
	ID, Title, Kind string
	Threshold       string // "70%"
	Rows            []classRow
	Below, Near     int
	Lessons         []lessonItem // a trainer's edition: its lessons, to open their registers
	Edition         bool         // training keeps no run of absences: that column stays empty
}

// standing places rate against threshold, both in percent.
func standing(rate, threshold float64) string {
	switch {
	case rate < threshold:
		return "below"
	case rate < threshold+nearMargin:
		return "near"
	}
	return "ok"
}

func percent(v float64) string {
	return strconv.Itoa(int(math.Floor(v))) + "%"
}

// sortByRisk puts who is below the threshold first, then who is close,
// lowest rate first, so that the teacher reads the people to talk to at
// the top.
func sortByRisk(rows []classRow) {
	rank := map[string]int{"below": 0, "near": 1, "ok": 2}
	sort.SliceStable(rows, func(i, j int) bool {
		if rank[rows[i].Standing] != rank[rows[j].Standing] {
			return rank[rows[i].Standing] < rank[rows[j].Standing]
		}
		return rows[i].RateValue < rows[j].RateValue
	})
}

// classPage shows a class of courses: each person's attendance rate,
// hours, run of absences, and who is close to or below the share of hours
// that admits to the final assessment.
func (a *App) classPage(w http.ResponseWriter, r *http.Request) {
	p := a.newPage(r, "class.title")
	id := r.PathValue("id")
	if !idPattern.MatchString(id) {
		a.fail(w, r, p, "courses", errcode.New(errcode.NotFound, "id", "not a class id"))
		return
	}
	att, err := a.Courses.Attendance(r.Context(), id)
	if err != nil {
		a.fail(w, r, p, "courses", err)
		return
	}
	threshold := att.AdmissionPercent
	d := classData{ID: att.Class.ID, Title: att.Class.Title, Kind: a.courseName(p, att.Class.CourseKind), Threshold: percent(threshold)}
	for _, e := range att.Class.Roster {
		if e.Status != "enrolled" && e.Status != "suspended" {
			continue // withdrawn or transferred away: no longer the teacher's to follow
		}
		row := classRow{
			Name: e.DisplayName, RateValue: e.RatePercent, Rate: percent(e.RatePercent),
			Hours: hours(e.MinutesAttended), Held: hours(e.MinutesHeld), ConsecutiveAbsences: e.ConsecutiveAbsences,
			Standing: standing(e.RatePercent, threshold),
		}
		d.count(row.Standing)
		d.Rows = append(d.Rows, row)
	}
	sortByRisk(d.Rows)
	p.Title = d.Title
	p.Data = d
	a.render(w, r, http.StatusOK, "class", p)
}

func (d *classData) count(standing string) {
	switch standing {
	case "below":
		d.Below++
	case "near":
		d.Near++
	}
}

// courseName is a kind of course in words; one the catalogue does not
// know shows as the service names it.
func (a *App) courseName(p *page, kind string) string {
	if _, ok := catalogue[p.Lang]["course."+kind]; ok {
		return p.T("course." + kind)
	}
	return kind
}

// Attendance is a class with each person's figures.
type Attendance struct {
	Class struct {
		ID         string `json:"id"`
		Title      string `json:"title"`
		CourseKind string `json:"course_kind"`
		Roster     []struct {
			Person              string  `json:"person"`
			DisplayName         string  `json:"display_name"`
			Status              string  `json:"status"`
			MinutesAttended     int     `json:"minutes_attended"`
			MinutesHeld         int     `json:"minutes_held"`
			RatePercent         float64 `json:"rate_percent"`
			ConsecutiveAbsences int     `json:"consecutive_absences"`
			AdmittedToFinal     bool    `json:"admitted_to_final"`
		} `json:"roster"`
	} `json:"class"`
	AdmissionPercent float64 `json:"admission_percent"`
}

// Attendance returns class id with each person's attendance figures.
func (c *Courses) Attendance(ctx context.Context, id string) (*Attendance, error) {
	return call[Attendance](ctx, c.attendance, apiRequest{path: pathOf("/v1/classes/", id, "/attendance")})
}

// editionPage is a trainer's class page: an edition of a vocational
// course, each person's hours against the course's planned hours and the
// share that admits to the exam, and the edition's lessons to open.
func (a *App) editionPage(w http.ResponseWriter, r *http.Request) {
	p := a.newPage(r, "class.title")
	id := r.PathValue("id")
	if !idPattern.MatchString(id) {
		a.fail(w, r, p, "training", errcode.New(errcode.NotFound, "id", "not an edition id"))
		return
	}
	ed, err := a.Training.Edition(r.Context(), id)
	if err != nil {
		a.fail(w, r, p, "training", err)
		return
	}
	planned := 0
	for _, m := range ed.Course.Modules {
		planned += m.Hours * 60
	}
	threshold := float64(ed.Course.MinAttendanceBP) / 100
	d := classData{ID: ed.Edition.ID, Title: ed.Course.Title, Kind: p.T("course.vocational"), Threshold: percent(threshold), Edition: true}
	for _, e := range ed.Edition.Roster {
		if e.Status != "enrolled" && e.Status != "suspended" {
			continue
		}
		attended := 0
		if e.MinutesAttended != nil {
			attended = *e.MinutesAttended
		}
		row := classRow{Name: e.DisplayName, Hours: hours(attended), Held: hours(planned), Standing: "ok"}
		if planned > 0 {
			row.RateValue = 100 * float64(attended) / float64(planned)
			row.Rate = percent(row.RateValue)
			// Hours still ahead can lift a low share: only who cannot
			// reach the threshold any more is below it; who is under it so
			// far is close.
			if e.Admitted == nil || !*e.Admitted {
				row.Standing = "near"
				if 100*float64(attended+a.minutesAhead(ed, time.Now()))/float64(planned) < threshold {
					row.Standing = "below"
				}
			}
		}
		d.count(row.Standing)
		d.Rows = append(d.Rows, row)
	}
	sortByRisk(d.Rows)
	now := time.Now()
	for _, l := range ed.Lessons {
		if l.Start.In(a.loc).Format(time.DateOnly) > now.In(a.loc).Format(time.DateOnly) {
			continue // registers open on the day
		}
		d.Lessons = append(d.Lessons, lessonItem{
			ID: l.ID, Class: l.ModuleID, Time: shortDateTime(p.Lang, l.Start.In(a.loc)), Minutes: l.Minutes, Cancelled: l.Cancelled,
		})
	}
	// Newest first: the lesson to mark is usually today's.
	for i, j := 0, len(d.Lessons)-1; i < j; i, j = i+1, j-1 {
		d.Lessons[i], d.Lessons[j] = d.Lessons[j], d.Lessons[i]
	}
	p.Title = d.Title
	p.Data = d
	a.render(w, r, http.StatusOK, "class", p)
}

// minutesAhead is the lesson time of ed still to come after now.
func (a *App) minutesAhead(ed *EditionView, now time.Time) int {
	n := 0
	for _, l := range ed.Lessons {
		if l.Start.After(now) && !l.Cancelled {
			n += l.Minutes
		}
	}
	return n
}

// Training is a client of the training API (services/training/openapi.yaml).
type Training struct {
	editions, edition, lesson endpoint.Endpoint
	record                    endpoint.Endpoint
}

// TrainingLesson is one lesson of an edition.
type TrainingLesson struct {
	ID        string    `json:"id"`
	EditionID string    `json:"edition_id"`
	ModuleID  string    `json:"module_id"`
	Start     time.Time `json:"start"`
	Minutes   int       `json:"minutes"`
	Cancelled bool      `json:"cancelled"`
}

// TrainingEnrolment is one person of an edition's roster.
type TrainingEnrolment struct {
	Person          string `json:"person"`
	DisplayName     string `json:"display_name"`
	Status          string `json:"status"`
	MinutesAttended *int   `json:"minutes_attended"`
	Admitted        *bool  `json:"admitted"`
}

// Edition is an edition as a list shows it.
type Edition struct {
	ID       string              `json:"id"`
	CourseID string              `json:"course_id"`
	Start    time.Time           `json:"start"`
	End      time.Time           `json:"end"`
	Roster   []TrainingEnrolment `json:"roster"`
}

// EditionView is an edition with its course and schedule.
type EditionView struct {
	Edition Edition `json:"edition"`
	Course  struct {
		Title           string `json:"title"`
		MinAttendanceBP int    `json:"min_attendance_bp"`
		Modules         []struct {
			ID    string `json:"id"`
			Title string `json:"title"`
			Hours int    `json:"hours"`
		} `json:"modules"`
	} `json:"course"`
	Lessons []TrainingLesson `json:"lessons"`
}

type editionsResponse struct {
	Editions []Edition `json:"editions"`
}

type trainingLessonResponse struct {
	Lesson   TrainingLesson      `json:"lesson"`
	Roster   []TrainingEnrolment `json:"roster"`
	Register *Register           `json:"register"`
}

func newTraining(c *client) *Training {
	return &Training{
		editions: c.endpoint("training.editions", http.MethodGet, encodeAPI, decodeJSON[editionsResponse]),
		edition:  c.endpoint("training.edition", http.MethodGet, encodeAPI, decodeJSON[EditionView]),
		lesson:   c.endpoint("training.get_lesson", http.MethodGet, encodeAPI, decodeJSON[trainingLessonResponse]),
		// The service answers the stored register again to the same PUT:
		// safe to repeat.
		record: c.endpoint("training.record_register", http.MethodPut, encodeAPI, decodeJSON[registerResponse]),
	}
}

// Editions lists the editions the caller teaches.
func (t *Training) Editions(ctx context.Context) ([]Edition, error) {
	resp, err := call[editionsResponse](ctx, t.editions, apiRequest{path: "/v1/editions"})
	if err != nil {
		return nil, err
	}
	return resp.Editions, nil
}

// Edition returns edition id with its course and lessons.
func (t *Training) Edition(ctx context.Context, id string) (*EditionView, error) {
	return call[EditionView](ctx, t.edition, apiRequest{path: pathOf("/v1/editions/", id)})
}

// Lesson returns a training lesson in the shape of a class lesson, so that
// one register page serves teachers and trainers.
func (t *Training) Lesson(ctx context.Context, id string) (*Lesson, error) {
	tl, err := call[trainingLessonResponse](ctx, t.lesson, apiRequest{path: pathOf("/v1/lessons/", id)})
	if err != nil {
		return nil, err
	}
	var l Lesson
	l.Lesson.ID, l.Lesson.ClassID, l.Lesson.Start, l.Lesson.Minutes = tl.Lesson.ID, tl.Lesson.EditionID, tl.Lesson.Start, tl.Lesson.Minutes
	l.Lesson.Status = "scheduled"
	if tl.Lesson.Cancelled {
		l.Lesson.Status = "cancelled"
	}
	l.Class.ID, l.Class.Title, l.Class.CourseKind = tl.Lesson.EditionID, tl.Lesson.EditionID+" · "+tl.Lesson.ModuleID, "vocational"
	for _, e := range tl.Roster {
		l.Class.Roster = append(l.Class.Roster, struct {
			Person      string `json:"person"`
			DisplayName string `json:"display_name"`
			Status      string `json:"status"`
		}{e.Person, e.DisplayName, e.Status})
	}
	l.Register = tl.Register
	return &l, nil
}

// RecordRegister records the marks of training lesson id.
func (t *Training) RecordRegister(ctx context.Context, id string, marks []Mark) (*Register, error) {
	for i := range marks {
		marks[i].DisplayName = "" // the API takes pseudonyms only
	}
	resp, err := call[registerResponse](ctx, t.record, apiRequest{path: pathOf("/v1/lessons/", id, "/register"), body: registerRequest{Marks: marks}})
	if err != nil {
		return nil, err
	}
	return &resp.Register, nil
}

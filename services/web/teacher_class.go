package web

import (
	"math"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/percorsi/percorsi/pkg/errcode"
	trainingv1 "github.com/percorsi/percorsi/proto/percorsi/training/v1"
	"github.com/percorsi/percorsi/services/web/clients"
	"github.com/percorsi/percorsi/services/web/i18n"
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
	if !clients.ValidID(id) {
		a.fail(w, r, p, "courses", errcode.New(errcode.NotFound, "id", "not a class id"))
		return
	}
	att, err := a.Courses.Attendance(r.Context(), id)
	if err != nil {
		a.fail(w, r, p, "courses", err)
		return
	}
	threshold := float64(att.AdmissionBp) / 100
	d := classData{ID: att.ClassId, Title: att.Title, Kind: a.courseName(p, att.CourseKind), Threshold: percent(threshold)}
	for _, e := range att.People {
		if e.Status != "enrolled" && e.Status != "suspended" {
			continue // withdrawn or transferred away: no longer the teacher's to follow
		}
		rate := float64(e.RateBp) / 100
		row := classRow{
			Name: e.DisplayName, RateValue: rate, Rate: percent(rate),
			Hours: hours(int(e.MinutesAttended)), Held: hours(int(e.MinutesHeld)), ConsecutiveAbsences: int(e.ConsecutiveAbsences),
			Standing: standing(rate, threshold),
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
	return i18n.Or(p.Lang, "course."+kind, kind)
}

// editionPage is a trainer's class page: an edition of a vocational
// course, each person's hours against the course's planned hours and the
// share that admits to the exam, and the edition's lessons to open.
func (a *App) editionPage(w http.ResponseWriter, r *http.Request) {
	p := a.newPage(r, "class.title")
	id := r.PathValue("id")
	if !clients.ValidID(id) {
		a.fail(w, r, p, "training", errcode.New(errcode.NotFound, "id", "not an edition id"))
		return
	}
	ed, err := a.Training.Edition(r.Context(), id)
	if err != nil {
		a.fail(w, r, p, "training", err)
		return
	}
	planned := 0
	for _, m := range ed.GetCourse().GetModules() {
		planned += int(m.Hours) * 60
	}
	threshold := float64(ed.GetCourse().GetMinAttendanceBp()) / 100
	d := classData{ID: ed.GetEdition().GetId(), Title: ed.GetCourse().GetTitle(), Kind: p.T("course.vocational"), Threshold: percent(threshold), Edition: true}
	for _, e := range ed.GetEdition().GetRoster() {
		if e.Status != "enrolled" && e.Status != "suspended" {
			continue
		}
		attended := int(e.GetMinutesAttended())
		row := classRow{Name: e.DisplayName, Hours: hours(attended), Held: hours(planned), Standing: "ok"}
		if planned > 0 {
			row.RateValue = 100 * float64(attended) / float64(planned)
			row.Rate = percent(row.RateValue)
			// Hours still ahead can lift a low share: only who cannot
			// reach the threshold any more is below it; who is under it so
			// far is close.
			if !e.GetAdmitted() {
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
		start := l.GetStart().AsTime().In(a.loc)
		if start.Format(time.DateOnly) > now.In(a.loc).Format(time.DateOnly) {
			continue // registers open on the day
		}
		d.Lessons = append(d.Lessons, lessonItem{
			ID: l.Id, Class: l.ModuleId, Time: i18n.ShortDateTime(p.Lang, start), Minutes: int(l.Minutes), Cancelled: l.Cancelled,
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
func (a *App) minutesAhead(ed *trainingv1.GetEditionResponse, now time.Time) int {
	n := 0
	for _, l := range ed.Lessons {
		if l.GetStart().AsTime().After(now) && !l.Cancelled {
			n += int(l.Minutes)
		}
	}
	return n
}

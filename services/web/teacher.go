package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/register"
	"github.com/percorsi/percorsi/services/web/clients"
	"github.com/percorsi/percorsi/services/web/i18n"
	"github.com/percorsi/percorsi/services/web/signin"
)

// teacherRoutes adds the pages of teachers, coordinators and trainers:
// registers, classes and editions.
func (a *App) teacherRoutes(mux *http.ServeMux) {
	mux.Handle("GET /lessons", a.signedIn(teachers, a.lessonsPage))
	mux.Handle("GET /lessons/open", a.signedIn(teachers, a.openLesson))
	mux.Handle("GET /lessons/{id}", a.signedIn(teachers, a.registerPage))
	mux.Handle("POST /lessons/{id}/register", a.signedIn(teachers, a.saveRegister))
	mux.Handle("GET /classes/{id}", a.signedIn(classTeams, a.classPage))
	mux.Handle("GET /editions/{id}", a.signedIn(editionTeam, a.editionPage))
}

// Attendance statuses, in the order the register offers them.
var statuses = []string{"present", "absent", "late", "excused"}

type lessonItem struct {
	ID, Class, Site, Time string
	ClassPage             string // the class's page, "" when none
	Minutes, Expected     int
	Cancelled             bool
}

type lessonsData struct {
	Today    string
	Lessons  []lessonItem
	Loaded   bool // the courses service answered
	Editions []editionItem
}

type editionItem struct{ ID, Title, Dates string }

// registers is a service that keeps the registers of the user's lessons.
type registers interface {
	Lesson(ctx context.Context, id string) (*clients.Lesson, error)
	RecordRegister(ctx context.Context, id string, marks []clients.Mark) error
}

// registersOf returns who keeps the user's registers, and the part of the
// pages it serves: training for a trainer, courses for teachers and
// coordinators.
func (a *App) registersOf(r *http.Request) (registers, string) {
	if signin.SessionFrom(r.Context()).Role == auth.Trainer {
		return a.Training, "training"
	}
	return a.Courses, "courses"
}

// lessonsPage lists today's lessons to open with one tap. When courses is
// away the page says so and still offers to open a lesson by its code.
func (a *App) lessonsPage(w http.ResponseWriter, r *http.Request) {
	p := a.newPage(r, "lessons.title")
	d := lessonsData{Today: i18n.LongDate(p.Lang, time.Now().In(a.loc))}
	if p.Session.Role == auth.Trainer {
		a.trainerLessons(w, r, p, d)
		return
	}
	day, err := a.Courses.Today(r.Context())
	switch {
	case err == nil:
		d.Loaded = true
		for _, dl := range day.Lessons {
			l := dl.GetLesson()
			d.Lessons = append(d.Lessons, lessonItem{
				ID: l.GetId(), Class: dl.ClassTitle, Site: dl.Site, Time: l.GetStart().AsTime().In(a.loc).Format("15:04"),
				Minutes: int(l.GetMinutes()), Expected: int(dl.Expected), Cancelled: l.GetStatus() == "cancelled",
				ClassPage: "/classes/" + url.PathEscape(l.GetClassId()),
			})
		}
	case errcode.Of(err) == errcode.Unavailable:
		p.Away = append(p.Away, p.T("unavailable.lessons"))
	default:
		a.fail(w, r, p, "courses", err)
		return
	}
	p.Data = d
	a.render(w, r, http.StatusOK, "lessons", p)
}

// trainerLessons lists a trainer's lessons of today across the editions
// they teach, and the editions themselves, whose pages hold every lesson
// and each person's hours.
func (a *App) trainerLessons(w http.ResponseWriter, r *http.Request, p *page, d lessonsData) {
	editions, err := a.Training.Editions(r.Context())
	if err != nil {
		if errcode.Of(err) != errcode.Unavailable {
			a.fail(w, r, p, "training", err)
			return
		}
		p.Away = append(p.Away, p.T("unavailable.training"))
		p.Data = d
		a.render(w, r, http.StatusOK, "lessons", p)
		return
	}
	d.Loaded = true
	today := time.Now().In(a.loc).Format(time.DateOnly)
	for _, e := range editions {
		if e.GetEnd().AsTime().Before(time.Now().AddDate(0, 0, -1)) {
			continue // over: its registers are final
		}
		ed, err := a.Training.Edition(r.Context(), e.Id)
		if err != nil {
			a.fail(w, r, p, "training", err)
			return
		}
		d.Editions = append(d.Editions, editionItem{ID: e.Id, Title: ed.GetCourse().GetTitle(), Dates: i18n.ShortDate(p.Lang, e.GetStart().AsTime().In(a.loc)) + " – " + i18n.ShortDate(p.Lang, e.GetEnd().AsTime().In(a.loc))})
		enrolled := 0
		for _, en := range e.Roster {
			if en.Status == "enrolled" {
				enrolled++
			}
		}
		for _, l := range ed.Lessons {
			if l.GetStart().AsTime().In(a.loc).Format(time.DateOnly) != today {
				continue
			}
			d.Lessons = append(d.Lessons, lessonItem{
				ID: l.Id, Class: ed.GetCourse().GetTitle() + " · " + l.ModuleId, Time: l.GetStart().AsTime().In(a.loc).Format("15:04"),
				Minutes: int(l.Minutes), Expected: enrolled, Cancelled: l.Cancelled, ClassPage: "/editions/" + url.PathEscape(e.Id),
			})
		}
	}
	p.Data = d
	a.render(w, r, http.StatusOK, "lessons", p)
}

func (a *App) openLesson(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	if !clients.ValidID(id) {
		p := a.newPage(r, "lessons.title")
		p.Data = lessonsData{Today: i18n.LongDate(p.Lang, time.Now().In(a.loc))}
		p.Error = p.T("error.not_found")
		a.render(w, r, http.StatusNotFound, "lessons", p)
		return
	}
	http.Redirect(w, r, "/lessons/"+url.PathEscape(id), http.StatusSeeOther)
}

// registerRow is one person in the register form.
type registerRow struct {
	Person, Name, Status string
	Minutes              string // as typed, so that a mistake is shown back
	Invalid              bool
}

type registerData struct {
	LessonID, ClassTitle, When string
	ClassPage                  string
	Minutes                    int
	Rows                       []registerRow
	Recorded                   string // when the register was saved; "" while open
	Cancelled                  bool
	Present                    int
	Statuses                   []string
}

func (a *App) registerPage(w http.ResponseWriter, r *http.Request) {
	p := a.newPage(r, "register.title")
	id := r.PathValue("id")
	if !clients.ValidID(id) {
		a.fail(w, r, p, "courses", errcode.New(errcode.NotFound, "id", "not a lesson id"))
		return
	}
	keeper, part := a.registersOf(r)
	lesson, err := keeper.Lesson(r.Context(), id)
	if err != nil {
		a.fail(w, r, p, part, err)
		return
	}
	if r.URL.Query().Get("saved") == "1" {
		p.Notice = p.T("register.saved")
	}
	p.Data = a.registerData(p.Lang, lesson, nil)
	a.render(w, r, http.StatusOK, "register", p)
}

// registerData lays out lesson for the form. Marks typed by the user win
// over the stored register, which wins over everyone present.
func (a *App) registerData(lang string, l *clients.Lesson, typed map[string]registerRow) registerData {
	d := registerData{
		LessonID: l.ID, ClassTitle: l.ClassTitle, Minutes: l.Minutes,
		When: i18n.ShortDateTime(lang, l.Start.In(a.loc)), Cancelled: l.Cancelled,
		Statuses: statuses, ClassPage: "/classes/" + url.PathEscape(l.ClassID),
	}
	if l.Edition {
		d.ClassPage = "/editions/" + url.PathEscape(l.ClassID)
	}
	stored := map[string]register.Mark{}
	if l.Register != nil {
		d.Recorded = i18n.ShortDateTime(lang, l.Register.RecordedAt.In(a.loc))
		for _, m := range l.Register.Marks {
			stored[m.Person] = m
		}
	}
	for _, e := range l.Roster {
		row := registerRow{Person: e.Person, Name: e.DisplayName, Status: "present"}
		if m, ok := stored[e.Person]; ok {
			row.Status = string(m.Status)
			if m.Status == register.Late {
				row.Minutes = strconv.Itoa(m.Minutes)
			}
		} else if l.Register != nil {
			continue // not on this lesson's register (enrolled since)
		} else if e.Status != "" && e.Status != "enrolled" {
			continue // withdrawn or waiting: no mark to give
		}
		if t, ok := typed[e.Person]; ok {
			t.Name = e.DisplayName
			row = t
		}
		if row.Status == "present" {
			d.Present++
		}
		d.Rows = append(d.Rows, row)
	}
	return d
}

// markField finds the person a service error names, as "marks[2].minutes".
var markField = regexp.MustCompile(`^marks\[(\d+)\]`)

func (a *App) saveRegister(w http.ResponseWriter, r *http.Request) {
	p := a.newPage(r, "register.title")
	id := r.PathValue("id")
	if !clients.ValidID(id) {
		a.fail(w, r, p, "courses", errcode.New(errcode.NotFound, "id", "not a lesson id"))
		return
	}
	people := r.PostForm["person"]
	marks := make([]clients.Mark, 0, len(people))
	typed := make(map[string]registerRow, len(people))
	var bad []string
	status := http.StatusBadRequest
	for _, person := range people {
		row := registerRow{Person: person, Status: r.PostFormValue("status-" + person), Minutes: r.PostFormValue("minutes-" + person)}
		m := clients.Mark{Person: person, Status: row.Status}
		if row.Status == "late" {
			n, err := strconv.Atoi(row.Minutes)
			if err != nil || n < 0 {
				row.Invalid = true
				bad = append(bad, person)
			}
			m.Minutes = n
		}
		typed[person] = row
		marks = append(marks, m)
	}
	keeper, part := a.registersOf(r)
	if len(bad) == 0 {
		err := keeper.RecordRegister(r.Context(), id, marks)
		if err == nil {
			http.Redirect(w, r, "/lessons/"+url.PathEscape(id)+"?saved=1", http.StatusSeeOther)
			return
		}
		e := errcode.As(err)
		if e == nil || e.Code != errcode.Invalid && e.Code != errcode.Conflict {
			a.fail(w, r, p, part, err)
			return
		}
		if e.Code == errcode.Conflict {
			status, p.Error = http.StatusConflict, p.T("error.conflict")
		} else if m := markField.FindStringSubmatch(e.Field); m != nil {
			if i, _ := strconv.Atoi(m[1]); i < len(people) {
				row := typed[people[i]]
				row.Invalid = true
				typed[people[i]] = row
				bad = append(bad, people[i])
			}
		}
		if p.Error == "" && len(bad) == 0 {
			p.Error = p.T("error.invalid", e.Message)
		}
	}
	// Show the form again with what was typed and the faulty rows marked.
	lesson, err := keeper.Lesson(r.Context(), id)
	if err != nil {
		a.fail(w, r, p, part, err)
		return
	}
	d := a.registerData(p.Lang, lesson, typed)
	if len(bad) > 0 {
		for _, row := range d.Rows {
			if row.Invalid {
				p.Error = p.T("register.check_minutes", row.Name, d.Minutes)
				break
			}
		}
	}
	p.Data = d
	a.render(w, r, status, "register", p)
}

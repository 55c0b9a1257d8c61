package web

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"

	"github.com/percorsi/percorsi/pkg/errcode"
)

func (a *App) personsPage(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusOK, "persons", a.newPage(r, "nav.persons"))
}

func (a *App) openPerson(w http.ResponseWriter, r *http.Request) {
	ps := r.URL.Query().Get("pseudonym")
	if !idPattern.MatchString(ps) {
		p := a.newPage(r, "nav.persons")
		p.Error = p.T("error.not_found")
		a.render(w, r, http.StatusNotFound, "persons", p)
		return
	}
	http.Redirect(w, r, "/persons/"+url.PathEscape(ps), http.StatusSeeOther)
}

type courseHours struct {
	Course string
	Hours  string // with minutes, e.g. "12 h 30 min"
}

type timelineEntry struct {
	When, Text string
	ISO        string
}

type personData struct {
	Pseudonym, Name string
	Hours           []courseHours
	Entries         []timelineEntry
}

// personPage is a person's pathway: hours by course and the timeline,
// newest first.
func (a *App) personPage(w http.ResponseWriter, r *http.Request) {
	p := a.newPage(r, "person.title")
	ps := r.PathValue("pseudonym")
	if !idPattern.MatchString(ps) {
		a.fail(w, r, p, "pathway", errcode.New(errcode.NotFound, "pseudonym", "not a pseudonym"))
		return
	}
	tl, err := a.Pathway.Timeline(r.Context(), ps, p.Lang)
	if err != nil {
		p.Data = personData{Pseudonym: ps}
		a.fail(w, r, p, "pathway", err)
		return
	}
	d := personData{Pseudonym: ps, Name: tl.Person.DisplayName}
	for course, minutes := range tl.MinutesByCourse {
		name := course // a kind of course the catalogue does not know yet shows as the service names it
		if _, ok := catalogue[p.Lang]["course."+course]; ok {
			name = p.T("course." + course)
		}
		d.Hours = append(d.Hours, courseHours{Course: name, Hours: hours(minutes)})
	}
	sort.Slice(d.Hours, func(i, j int) bool { return d.Hours[i].Course < d.Hours[j].Course })
	for i := len(tl.Entries) - 1; i >= 0; i-- {
		e := tl.Entries[i]
		d.Entries = append(d.Entries, timelineEntry{When: shortDateTime(p.Lang, e.OccurredAt.In(a.loc)), ISO: e.OccurredAt.Format("2006-01-02T15:04:05Z07:00"), Text: e.Text})
	}
	p.Title = d.Name
	p.Data = d
	a.render(w, r, http.StatusOK, "person", p)
}

func hours(minutes int) string {
	h, m := minutes/60, minutes%60
	if m == 0 {
		return strconv.Itoa(h) + " h"
	}
	return strconv.Itoa(h) + " h " + strconv.Itoa(m) + " min"
}

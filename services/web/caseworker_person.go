package web

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/percorsi/percorsi/pkg/errcode"
	pathwayv1 "github.com/percorsi/percorsi/proto/percorsi/pathway/v1"
	"github.com/percorsi/percorsi/services/web/clients"
	"github.com/percorsi/percorsi/services/web/i18n"
)

type caseloadRow struct {
	Pseudonym, Name, Programme, Stage, MostUrgent, Permit, PermitUntil string
	OpenAlerts                                                         int
}

type caseloadData struct {
	Rows     []caseloadRow
	Loaded   bool // pathway answered
	Incoming int  // transfers waiting for an answer
}

// personsPage is the case worker's caseload: the people their organisation
// follows, those with open alerts first. When pathway is away the page
// says so and still offers to open a pathway by pseudonym.
func (a *App) personsPage(w http.ResponseWriter, r *http.Request) {
	p := a.newPage(r, "nav.persons")
	var d caseloadData
	// One after the other: when pathway is away the first call says so.
	caseload, err := a.Pathway.Caseload(r.Context())
	loaded := err == nil
	var incoming []*pathwayv1.IncomingTransfer
	if loaded {
		incoming, err = a.Pathway.IncomingTransfers(r.Context())
	}
	switch {
	case errcode.Of(err) == errcode.Unavailable:
		p.Away = append(p.Away, p.T("unavailable.caseload"))
	case err != nil:
		a.fail(w, r, p, "pathway", err)
		return
	}
	if loaded {
		d.Loaded = true
		for _, e := range caseload {
			row := caseloadRow{Pseudonym: e.Pseudonym, Name: e.DisplayName, OpenAlerts: int(e.OpenAlerts), PermitUntil: dayText(p.Lang, e.PermitUntil)}
			if e.Programme != "" {
				row.Programme = p.T("programme." + e.Programme)
			}
			if e.Stage != "" {
				row.Stage = i18n.Or(p.Lang, "stage."+e.Stage, e.Stage)
			}
			if e.MostUrgentAlert != "" {
				row.MostUrgent = i18n.Or(p.Lang, "alert."+e.MostUrgentAlert, e.MostUrgentAlert)
			}
			if e.PermitKind != "" {
				row.Permit = i18n.Or(p.Lang, "permit."+e.PermitKind, e.PermitKind)
			}
			d.Rows = append(d.Rows, row)
		}
		// Pathway already sends open alerts first; keep it so whatever it
		// does, without reordering people of equal weight.
		sort.SliceStable(d.Rows, func(i, j int) bool { return d.Rows[i].OpenAlerts > d.Rows[j].OpenAlerts })
	}
	d.Incoming = len(incoming)
	p.Data = d
	a.render(w, r, http.StatusOK, "persons", p)
}

func (a *App) openPerson(w http.ResponseWriter, r *http.Request) {
	ps := r.URL.Query().Get("pseudonym")
	if !clients.ValidID(ps) {
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

type fact struct{ Label, Value string }

type goalView struct {
	Domain, Title, Target, FollowBy, Status string
	area                                    string // to sort by
}

type areaView struct {
	Area, Status, Since, Why string
	Achieved                 bool
}

type pointView struct {
	When, Stage, Index string
}

type autonomyView struct {
	Stage, Index string
	Areas        []areaView
	Chart        *lineChart
	Points       []pointView
	Rules        string
}

type permitView struct {
	Kind, From, Until, ConvertedFrom string
	MayWork                          bool
}

type legalView struct {
	Current     *permitView
	DaysLeft    int
	Expired     bool
	Soon        bool // within the check window: the grounds matter now
	Convertible bool
	Grounds     string
	CheckFrom   string
	Permits     []permitView
}

type alertView struct {
	ID, Kind, Raised, Due, Acknowledged, Resolved, Note string
	Open                                                bool
}

type transferView struct {
	ID, To, Territory, Reason, Status, Requested string
}

type personData struct {
	Pseudonym, Name string
	Hours           []courseHours
	Entries         []timelineEntry
	Facts           []fact
	Consents        []fact
	Closed          string
	Plan            []goalView
	PlanRevision    int
	PlanUpdated     string
	Autonomy        *autonomyView
	Legal           *legalView
	Alerts          []alertView
	OpenAlerts      int
	Transfers       []transferView
	Pending         bool // a transfer waits for an answer
	PermitKinds     []option
	// The transfer form as typed, with its error, when it was refused.
	Transfer transferForm
}

type option struct{ Value, Label string }

// personPage is a person's pathway on one page: who they are in the
// programme, the plan, autonomy by domain and over time, legal status,
// alerts, transfers, hours by course and the timeline. The timeline is the
// page; the other parts, read at the same time, say when they are away.
func (a *App) personPage(w http.ResponseWriter, r *http.Request) {
	p := a.newPage(r, "person.title")
	ps := r.PathValue("pseudonym")
	if !clients.ValidID(ps) {
		a.fail(w, r, p, "pathway", errcode.New(errcode.NotFound, "pseudonym", "not a pseudonym"))
		return
	}
	switch q := r.URL.Query(); {
	case q.Get("created") == "1":
		p.Notice = p.T("intake.done")
	case q.Get("done") != "":
		// Only the notices the forms send back: ?done= is anyone's to type.
		p.Notice = i18n.Or(p.Lang, "person.done."+q.Get("done"), "")
	}
	d, err := a.personData(r, p, ps)
	if err != nil {
		p.Data = personData{Pseudonym: ps}
		a.fail(w, r, p, "pathway", err)
		return
	}
	p.Title = d.Name
	p.Data = d
	a.render(w, r, http.StatusOK, "person", p)
}

// personData reads everything the pathway page shows of ps. An error is
// the timeline's, which the page cannot do without; a part that is away
// is named in p.Away.
func (a *App) personData(r *http.Request, p *page, ps string) (personData, error) {
	ctx := r.Context()
	// The timeline first: it also tells whether pathway is there and the
	// caller may see the person, and a breaker letting one call through
	// after an outage lets it be this one. The other parts then together.
	tl, err := a.Pathway.Timeline(ctx, ps, p.Lang)
	if err != nil {
		return personData{}, err
	}
	var (
		load     sync.WaitGroup
		autonomy *pathwayv1.AutonomyResponse
		legal    *pathwayv1.LegalResponse
		alerts   []*pathwayv1.Alert
		errs     [3]error
	)
	load.Go(func() { autonomy, errs[0] = a.Pathway.Autonomy(ctx, ps, p.Lang) })
	load.Go(func() { legal, errs[1] = a.Pathway.Legal(ctx, ps, p.Lang) })
	load.Go(func() { alerts, errs[2] = a.Pathway.Alerts(ctx, ps) })
	load.Wait()
	for i, part := range []string{"autonomy", "legal", "alerts"} {
		if errs[i] == nil {
			continue
		}
		if errcode.Of(errs[i]) != errcode.Unavailable {
			a.Log.ErrorContext(ctx, "reading a part of a pathway", "part", part, "err", errs[i])
		}
		p.Away = append(p.Away, p.T("unavailable.part."+part))
	}

	d := personData{Pseudonym: ps, Name: tl.GetPerson().GetDisplayName(), PermitKinds: a.options(p, "permit.", permitKinds)}
	for course, minutes := range tl.MinutesByCourse {
		d.Hours = append(d.Hours, courseHours{Course: a.courseName(p, course), Hours: hours(int(minutes))})
	}
	sort.Slice(d.Hours, func(i, j int) bool { return d.Hours[i].Course < d.Hours[j].Course })
	tm := &times{loc: a.loc}
	for i := len(tl.Entries) - 1; i >= 0; i-- {
		e := tl.Entries[i]
		at, _ := tm.at(e.OccurredAt)
		d.Entries = append(d.Entries, timelineEntry{When: i18n.ShortDateTime(p.Lang, at), ISO: at.UTC().Format(time.RFC3339), Text: e.Text})
	}
	a.describePerson(p, tm, &d, tl.GetPerson())
	if autonomy != nil {
		d.Autonomy = a.autonomyView(p, tm, autonomy)
	}
	if legal != nil {
		d.Legal = a.legalView(p, legal)
	}
	for _, al := range alerts {
		v := alertView{ID: al.Id, Kind: p.T("alert." + al.Kind), Raised: tm.day(p.Lang, al.RaisedAt), Note: al.Note, Open: al.ResolvedAt == "",
			Due: tm.day(p.Lang, al.Due), Acknowledged: tm.day(p.Lang, al.AcknowledgedAt), Resolved: tm.day(p.Lang, al.ResolvedAt)}
		if v.Open {
			d.OpenAlerts++
		}
		d.Alerts = append(d.Alerts, v)
	}
	// Open alerts first, the newest first among each.
	slices.SortStableFunc(d.Alerts, func(x, y alertView) int {
		switch {
		case x.Open && !y.Open:
			return -1
		case !x.Open && y.Open:
			return 1
		}
		return 0
	})
	return d, tm.err
}

// describePerson lays out the record: the programme, the plan, consents,
// transfers and how the pathway ended.
func (a *App) describePerson(p *page, tm *times, d *personData, rec *pathwayv1.Person) {
	add := func(label, value string) {
		if value != "" {
			d.Facts = append(d.Facts, fact{p.T(label), value})
		}
	}
	if rec.Programme != "" {
		add("person.programme", p.T("programme."+rec.Programme))
	}
	if rec.Referral != "" {
		add("person.referral", p.T("referral."+rec.Referral))
	}
	add("person.since", tm.day(p.Lang, rec.Since))
	add("person.organisation", rec.Organisation)
	add("person.territory", rec.Territory)
	add("person.case_worker", rec.CaseWorker)
	for _, c := range rec.Consents {
		state := p.T("consent.given", tm.day(p.Lang, c.GivenAt))
		if c.WithdrawnAt != "" {
			state = p.T("consent.withdrawn", tm.day(p.Lang, c.WithdrawnAt))
		}
		d.Consents = append(d.Consents, fact{i18n.Or(p.Lang, "consent."+c.Scope, c.Scope), state})
	}
	if c := rec.Closed; c != nil {
		d.Closed = p.T("person.closed", p.T("closing."+c.Reason), tm.day(p.Lang, c.On))
	}
	if pl := rec.Plan; pl != nil {
		d.PlanRevision = int(pl.Revision)
		if pl.UpdatedAt != "" {
			d.PlanUpdated = p.T("plan.updated", int(pl.Revision), tm.day(p.Lang, pl.UpdatedAt), pl.UpdatedBy)
		}
		for _, g := range pl.Goals {
			v := goalView{area: g.Domain, Domain: p.T("area." + g.Domain), Title: g.Title, FollowBy: g.FollowBy, Status: p.T("goal." + g.Status)}
			if t, err := time.Parse(time.DateOnly, g.Target); err == nil {
				v.Target = i18n.ShortDate(p.Lang, t)
			}
			d.Plan = append(d.Plan, v)
		}
		slices.SortStableFunc(d.Plan, func(x, y goalView) int { return areaOrder(x.area) - areaOrder(y.area) })
	}
	for _, t := range rec.Transfers {
		d.Transfers = append(d.Transfers, transferView{
			ID: t.Id, To: t.ToOrganisation, Territory: t.ToTerritory, Reason: t.Reason,
			Status: p.T("transfer." + t.Status), Requested: tm.day(p.Lang, t.RequestedAt),
		})
		if t.Status == "requested" {
			d.Pending = true
		}
	}
}

// areas are the domains of a pathway, in the order the pages show them.
var areas = []string{"italian", "digital", "training", "work", "housing", "legal"}

// areaOrder places an area the catalogue does not know yet last.
func areaOrder(area string) int {
	if i := slices.Index(areas, area); i >= 0 {
		return i
	}
	return len(areas)
}

func (a *App) autonomyView(p *page, tm *times, au *pathwayv1.AutonomyResponse) *autonomyView {
	v := &autonomyView{Stage: p.T("stage." + au.Stage), Index: share(au.Index)}
	for _, ar := range au.Areas {
		av := areaView{Area: p.T("area." + ar.Area), Status: i18n.Or(p.Lang, "area_status."+ar.Status, ar.Status), Why: ar.Why, Achieved: ar.Status == "achieved"}
		if t, err := time.Parse(time.DateOnly, ar.Since); err == nil {
			av.Since = i18n.ShortDate(p.Lang, t)
		}
		v.Areas = append(v.Areas, av)
	}
	var history []stagePoint
	for _, h := range au.History {
		at, _ := tm.at(h.At)
		history = append(history, stagePoint{At: at, Stage: h.Stage, Index: h.Index})
		v.Points = append(v.Points, pointView{When: i18n.ShortDate(p.Lang, at), Stage: p.T("stage." + h.Stage), Index: share(h.Index)})
	}
	v.Chart = autonomyChart(p, history, time.Now().In(a.loc), a.loc)
	v.Rules = p.T("autonomy.rules", au.GetRules().GetItalianLevel(), int(au.GetRules().GetDigitalLevel()), int(au.GetRules().GetPlacementMonths()))
	return v
}

func (a *App) legalView(p *page, l *pathwayv1.LegalResponse) *legalView {
	permit := func(x *pathwayv1.Permit) permitView {
		v := permitView{Kind: p.T("permit." + x.Kind), From: dayText(p.Lang, x.ValidFrom), Until: dayText(p.Lang, x.ValidUntil), MayWork: x.MayWork}
		if x.ConvertedFrom != "" {
			v.ConvertedFrom = p.T("permit." + x.ConvertedFrom)
		}
		return v
	}
	v := &legalView{DaysLeft: int(l.DaysLeft), Convertible: l.Convertible, Grounds: l.Grounds, CheckFrom: dayText(p.Lang, l.CheckFrom)}
	if l.Current != nil {
		c := permit(l.Current)
		v.Current = &c
		if l.Current.ValidUntil != "" {
			v.Expired = l.DaysLeft < 0
			if from, err := time.Parse(time.DateOnly, l.CheckFrom); err == nil && !time.Now().Before(from) {
				v.Soon = true
			}
		}
	}
	for i := len(l.Permits) - 1; i >= 0; i-- { // newest first
		v.Permits = append(v.Permits, permit(l.Permits[i]))
	}
	return v
}

// options lists values with their labels under prefix in the page's
// language, for a select.
func (a *App) options(p *page, prefix string, values []string) []option {
	out := make([]option, len(values))
	for i, v := range values {
		out[i] = option{v, p.T(prefix + v)}
	}
	return out
}

// share writes a fraction of one as a percentage.
func share(f float64) string { return strconv.Itoa(int(f*100+0.5)) + "%" }

func hours(minutes int) string {
	h, m := minutes/60, minutes%60
	if m == 0 {
		return strconv.Itoa(h) + " h"
	}
	return strconv.Itoa(h) + " h " + strconv.Itoa(m) + " min"
}

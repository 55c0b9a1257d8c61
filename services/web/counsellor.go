package web

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/euro"
	jobsv1 "github.com/percorsi/percorsi/proto/percorsi/jobs/v1"
	"github.com/percorsi/percorsi/services/web/clients"
)

// counsellorRoutes adds the counsellor's pages: vacancies, candidates,
// proposals and placements.
func (a *App) counsellorRoutes(mux *http.ServeMux) {
	mux.Handle("GET /jobs", a.signedIn(counsellors, a.jobsHome))
	mux.Handle("GET /jobs/candidates/open", a.signedIn(counsellors, a.openByCode("/jobs/candidates/")))
	mux.Handle("GET /jobs/candidates/{pseudonym}", a.signedIn(counsellors, a.candidatePage))
	mux.Handle("GET /jobs/vacancies/{id}", a.signedIn(counsellors, a.vacancyPage))
	mux.Handle("POST /jobs/proposals", a.signedIn(counsellors, a.propose))
	mux.Handle("POST /jobs/proposals/{id}/interview", a.signedIn(counsellors, a.recordInterview))
	mux.Handle("POST /jobs/proposals/{id}/placement", a.signedIn(counsellors, a.startPlacement))
	mux.Handle("GET /jobs/placements/{id}", a.signedIn(counsellors, a.placementPage))
	mux.Handle("POST /jobs/placements/{id}/links", a.signedIn(counsellors, a.issueLink))
	mux.Handle("POST /jobs/placements/{id}/follow-ups", a.signedIn(counsellors, a.recordFollowUp))
}

// The counsellor's pages: vacancies and their ranked candidates, each
// score explained; proposals, interviews, placements, the employer's
// link, and the follow-ups due.

type jobsHomeData struct {
	Vacancies  []*jobsv1.Vacancy
	Placements []placementItem
	Due        int
}

type placementItem struct {
	ID, Name, Title, Status, StartsOn string
	Due                               []int32 // follow-up months due
}

func (a *App) jobsHome(w http.ResponseWriter, r *http.Request) {
	p := a.newPage(r, "jobs.title")
	var d jobsHomeData
	vacancies, err := a.Jobs.Vacancies(r.Context())
	if err != nil {
		a.fail(w, r, p, "jobs", err)
		return
	}
	d.Vacancies = vacancies
	placements, err := a.Jobs.Placements(r.Context())
	if err != nil {
		a.fail(w, r, p, "jobs", err)
		return
	}
	for _, pl := range placements {
		d.Placements = append(d.Placements, placementItem{
			ID: pl.Id, Name: pl.DisplayName, Title: pl.Title, Status: pl.Status, StartsOn: dayText(p.Lang, pl.StartsOn), Due: pl.DueFollowUps,
		})
		if len(pl.DueFollowUps) > 0 {
			d.Due++
		}
	}
	// Follow-ups due first: they are the counsellor's to do.
	slices.SortStableFunc(d.Placements, func(x, y placementItem) int { return len(y.Due) - len(x.Due) })
	p.Data = d
	a.render(w, r, http.StatusOK, "jobs", p)
}

type candidateItem struct {
	Person, Name string
	Score        int
	Parts        []partItem
	Proposed     bool
}

type partItem struct {
	Part, Reason string
	Points, Max  int
}

type proposalItem struct {
	ID, Person, Name, Status, InterviewOn string
	Score                                 int
	Placement                             string // the placement it started, if any
}

type vacancyData struct {
	Vacancy                        *jobsv1.Vacancy
	Candidates                     []candidateItem
	Considered, Eligible, Excluded int
	Proposals                      []proposalItem
	Today                          string
}

// vacancyLabels name what jobs may refuse in the vacancy page's forms:
// the interview and the start of a placement.
var vacancyLabels = labels{
	"held_on": "proposal.held_on", "outcome": "proposal.outcome",
	"starts_on": "placement.starts_on", "ends_on": "placement.ends_on", "weekly_hours": "placement.weekly_hours",
	"monthly_allowance_cents": "placement.allowance", "duration_months": "placement.duration_months",
}

// followUpLabels name what jobs may refuse in a placement's follow-up.
var followUpLabels = labels{"month": "placement.follow_up_month", "weekly_hours": "placement.weekly_hours"}

func (a *App) vacancyPage(w http.ResponseWriter, r *http.Request) {
	a.showVacancy(w, r, nil)
}

// showVacancy shows a vacancy with its ranked candidates and the
// proposals made for it; writeErr is what a form of the page got back.
func (a *App) showVacancy(w http.ResponseWriter, r *http.Request, writeErr error) {
	p := a.newPage(r, "vacancy.title")
	id := r.PathValue("id")
	if r.Method == http.MethodPost {
		id = r.PostFormValue("vacancy")
	}
	if !clients.ValidID(id) {
		a.fail(w, r, p, "jobs", errcode.New(errcode.NotFound, "id", "not a vacancy id"))
		return
	}
	status := http.StatusOK
	if writeErr != nil {
		var ok bool
		if status, ok = writeFailed(p, writeErr, vacancyLabels); !ok {
			a.fail(w, r, p, "jobs", writeErr)
			return
		}
	}
	doneNotice(p, r)
	rk, err := a.Jobs.Candidates(r.Context(), id, p.Lang)
	if err != nil {
		a.fail(w, r, p, "jobs", err)
		return
	}
	proposals, err := a.Jobs.Proposals(r.Context(), id)
	if err != nil {
		a.fail(w, r, p, "jobs", err)
		return
	}
	// A proposal leads to at most one placement, of its person at its
	// vacancy: found so, the page links to it instead of offering a start.
	placements, err := a.Jobs.Placements(r.Context())
	if err != nil {
		a.fail(w, r, p, "jobs", err)
		return
	}
	placed := map[string]string{}
	for _, pl := range placements {
		if pl.VacancyId == id {
			placed[pl.Person] = pl.Id
		}
	}
	d := vacancyData{Vacancy: rk.GetVacancy(), Considered: int(rk.Considered), Eligible: int(rk.Eligible), Today: a.today()}
	d.Excluded = d.Considered - d.Eligible
	names := map[string]string{}
	proposed := map[string]bool{}
	for _, pr := range proposals {
		proposed[pr.Person] = true
	}
	for _, c := range rk.Candidates {
		names[c.Person] = c.DisplayName
		item := candidateItem{Person: c.Person, Name: c.DisplayName, Score: int(c.GetMatch().GetScore()), Proposed: proposed[c.Person]}
		for _, part := range c.GetMatch().GetParts() {
			item.Parts = append(item.Parts, partItem{Part: part.Part, Reason: part.Reason, Points: int(part.Points), Max: int(part.Max)})
		}
		d.Candidates = append(d.Candidates, item)
	}
	for _, pr := range proposals {
		name := names[pr.Person]
		if name == "" {
			name = pr.Person // ranked beyond the page: known by pseudonym
		}
		d.Proposals = append(d.Proposals, proposalItem{
			ID: pr.Id, Person: pr.Person, Name: name, Status: pr.Status, InterviewOn: dayText(p.Lang, pr.InterviewOn), Score: int(pr.Score), Placement: placed[pr.Person],
		})
	}
	p.Title = d.Vacancy.Title
	p.Data = d
	a.render(w, r, status, "vacancy", p)
}

func (a *App) propose(w http.ResponseWriter, r *http.Request) {
	vacancy, person := r.PostFormValue("vacancy"), r.PostFormValue("person")
	if !clients.ValidID(vacancy) || !clients.ValidID(person) {
		a.fail(w, r, a.newPage(r, "vacancy.title"), "jobs", errcode.New(errcode.NotFound, "person", "not a pseudonym"))
		return
	}
	if err := a.Jobs.Propose(r.Context(), person, vacancy); err != nil {
		a.showVacancy(w, r, err)
		return
	}
	http.Redirect(w, r, "/jobs/vacancies/"+url.PathEscape(vacancy)+"?done=proposed#proposals", http.StatusSeeOther)
}

func (a *App) recordInterview(w http.ResponseWriter, r *http.Request) {
	vacancy := r.PostFormValue("vacancy")
	err := a.Jobs.RecordInterview(r.Context(), r.PathValue("id"), r.PostFormValue("held_on"), r.PostFormValue("outcome"))
	if err != nil || !clients.ValidID(vacancy) {
		a.showVacancy(w, r, err)
		return
	}
	http.Redirect(w, r, "/jobs/vacancies/"+url.PathEscape(vacancy)+"?done=interview#proposals", http.StatusSeeOther)
}

// startPlacement starts the placement and shows its page with the
// employer's link: jobs hands the link out once, so it is shown in this
// answer and never put in a URL of ours.
func (a *App) startPlacement(w http.ResponseWriter, r *http.Request) {
	pl, link, err := a.Jobs.StartPlacement(r.Context(), &jobsv1.StartPlacementRequest{
		ProposalId: r.PathValue("id"), StartsOn: r.PostFormValue("starts_on"), EndsOn: r.PostFormValue("ends_on"), WeeklyHours: int32(formInt(r, "weekly_hours")),
		MonthlyAllowanceCents: int32(formCents(r, "allowance")), DurationMonths: int32(formInt(r, "duration_months")),
	})
	if err != nil {
		a.showVacancy(w, r, err)
		return
	}
	a.showPlacement(w, r, pl.Id, &link, http.StatusCreated)
}

type placementData struct {
	Placement *jobsv1.Placement
	StartsOn  string
	EndsOn    string
	Allowance string
	Link      string  // the employer's link, just issued
	Purpose   string  // what a new link would confirm: start, end, or none
	Months    []int32 // follow-ups not yet recorded, the due ones first
}

func (a *App) placementPage(w http.ResponseWriter, r *http.Request) {
	a.showPlacement(w, r, r.PathValue("id"), nil, http.StatusOK)
}

func (a *App) showPlacement(w http.ResponseWriter, r *http.Request, id string, link *clients.EmployerLink, status int) {
	p := a.newPage(r, "placement.title")
	if !clients.ValidID(id) {
		a.fail(w, r, p, "jobs", errcode.New(errcode.NotFound, "id", "not a placement id"))
		return
	}
	doneNotice(p, r)
	pl, err := a.Jobs.Placement(r.Context(), id)
	if err != nil {
		a.fail(w, r, p, "jobs", err)
		return
	}
	d := placementData{
		Placement: pl, StartsOn: dayText(p.Lang, pl.StartsOn), EndsOn: dayText(p.Lang, pl.EndsOn),
	}
	if pl.MonthlyAllowanceCents > 0 {
		d.Allowance = euro.Format(p.Lang, int64(pl.MonthlyAllowanceCents))
	}
	switch pl.Status {
	case "awaiting_confirmation":
		d.Purpose = "start"
	case "confirmed":
		d.Purpose = "end"
	}
	if link != nil {
		d.Link = a.employerURL(r, *link)
		p.Notice = p.T("placement.link_ready")
	}
	recorded := map[int32]bool{}
	for _, f := range pl.FollowUps {
		recorded[f.Month] = true
	}
	d.Months = append(d.Months, pl.DueFollowUps...)
	for _, m := range []int32{1, 3, 6, 12} {
		if !recorded[m] && !slices.Contains(d.Months, m) {
			d.Months = append(d.Months, m)
		}
	}
	p.Title = pl.DisplayName + " · " + pl.Title
	p.Data = d
	a.render(w, r, status, "placement", p)
}

// employerURL is the address of the employer's page for link, on the
// host the counsellor reached web by.
func (a *App) employerURL(r *http.Request, link clients.EmployerLink) string {
	scheme := "http"
	if r.TLS != nil || a.cfg.SecureCookies {
		scheme = "https"
	}
	u := url.URL{Scheme: scheme, Host: r.Host, Path: "/employer-links/" + link.Placement, RawQuery: url.Values{"token": {link.Token}}.Encode()}
	return u.String()
}

func (a *App) issueLink(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	link, err := a.Jobs.IssueLink(r.Context(), id, r.PostFormValue("purpose"))
	if err != nil {
		p := a.newPage(r, "placement.title")
		status, ok := writeFailed(p, err, nil) // a button: no field to name
		if !ok {
			a.fail(w, r, p, "jobs", err)
			return
		}
		a.render(w, r, status, "error", p)
		return
	}
	a.showPlacement(w, r, id, &link, http.StatusCreated)
}

func (a *App) recordFollowUp(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	err := a.Jobs.FollowUp(r.Context(), id, formInt(r, "month"), r.PostFormValue("still_working") == "yes", formInt(r, "weekly_hours"))
	if err != nil {
		p := a.newPage(r, "placement.title")
		status, ok := writeFailed(p, err, followUpLabels)
		if !ok {
			a.fail(w, r, p, "jobs", err)
			return
		}
		a.render(w, r, status, "error", p)
		return
	}
	http.Redirect(w, r, "/jobs/placements/"+url.PathEscape(id)+"?done=follow_up", http.StatusSeeOther)
}

type candidateData struct {
	Profile   *jobsv1.Profile
	Vacancies []*jobsv1.VacancyMatch
}

// candidatePage is a candidate's profile and the open vacancies ranked
// for them.
func (a *App) candidatePage(w http.ResponseWriter, r *http.Request) {
	p := a.newPage(r, "candidate.title")
	person := r.PathValue("pseudonym")
	if !clients.ValidID(person) {
		a.fail(w, r, p, "jobs", errcode.New(errcode.NotFound, "pseudonym", "not a pseudonym"))
		return
	}
	pr, err := a.Jobs.Profile(r.Context(), person)
	if err != nil {
		a.fail(w, r, p, "jobs", err)
		return
	}
	matches, err := a.Jobs.VacanciesFor(r.Context(), person, p.Lang)
	if err != nil {
		a.fail(w, r, p, "jobs", err)
		return
	}
	p.Title = pr.DisplayName
	p.Data = candidateData{Profile: pr, Vacancies: matches}
	a.render(w, r, http.StatusOK, "candidate", p)
}

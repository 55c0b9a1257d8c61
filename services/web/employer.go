package web

import (
	"net/http"

	"github.com/percorsi/percorsi/pkg/errcode"
	jobsv1 "github.com/percorsi/percorsi/proto/percorsi/jobs/v1"
	"github.com/percorsi/percorsi/services/web/clients"
	"github.com/percorsi/percorsi/services/web/signin"
)

// employerRoutes adds the employer's page: no account, the link's token
// is the credential.
func (a *App) employerRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /employer-links/{id}", a.employerPage)
	mux.HandleFunc("POST /employer-links/{id}", a.confirmByLink)
}

// The employer's page: reached from the single-use link a counsellor
// sends, without an account. The link's token is the only credential; the
// page shows the one placement it names and links nowhere else. Opening
// it (GET) never confirms anything: only its form, posted with the token
// and an anti-forgery token bound to the browser, does.

type employerData struct {
	Placement        *jobsv1.Placement
	Link             clients.EmployerLink
	StartsOn, EndsOn string
	Confirmed        bool     // just confirmed: the thanks, no form
	Reasons          []string // end reasons to choose from
	OnValue          string   // the date to confirm, as typed after a mistake
}

var endReasons = []string{"completed", "resigned", "dismissed", "hired", "other"}

func (a *App) employerPage(w http.ResponseWriter, r *http.Request) {
	link := clients.EmployerLink{Placement: r.PathValue("id"), Token: r.URL.Query().Get("token")}
	a.showEmployer(w, r, link, http.StatusOK, "")
}

// showEmployer shows what link confirms, with the form to confirm it;
// mistake is what was wrong with the form just posted.
func (a *App) showEmployer(w http.ResponseWriter, r *http.Request, link clients.EmployerLink, status int, mistake string) {
	p := a.newPage(r, "employer.title")
	p.Error = mistake
	p.CSRF = a.anonymousCSRF(w, r)
	if !clients.ValidID(link.Placement) || link.Token == "" || len(link.Token) > 4096 {
		a.employerRefused(w, r, p, errcode.New(errcode.Forbidden, "token", "no link"))
		return
	}
	pl, err := a.Jobs.LinkView(r.Context(), link)
	if err != nil {
		a.employerRefused(w, r, p, err)
		return
	}
	d := employerData{
		Placement: pl, Link: link, StartsOn: dayText(p.Lang, pl.StartsOn), EndsOn: dayText(p.Lang, pl.EndsOn),
		Reasons: endReasons, OnValue: pl.StartsOn,
	}
	if pl.Confirm == "end" {
		d.OnValue = a.today()
		if pl.EndsOn != "" && pl.EndsOn < d.OnValue {
			d.OnValue = pl.EndsOn
		}
	}
	if r.Method == http.MethodPost {
		d.OnValue = r.PostFormValue("on")
	}
	p.Data = d
	a.render(w, r, status, "employer", p)
}

// employerRefused says why a link does not open: used, expired or
// replaced, in words an employer can act on (ask the counsellor for a new
// one), never more.
func (a *App) employerRefused(w http.ResponseWriter, r *http.Request, p *page, err error) {
	switch errcode.Of(err) {
	case errcode.Forbidden, errcode.NotFound, errcode.Unauthorized:
		p.Error = p.T("employer.invalid")
		a.render(w, r, http.StatusForbidden, "error", p)
	case errcode.Conflict:
		p.Error = p.T("employer.used")
		a.render(w, r, http.StatusConflict, "error", p)
	default:
		a.fail(w, r, p, "jobs", err)
	}
}

// confirmByLink spends the link. The anti-forgery token is checked as on
// the sign-in form (a cookie of this browser against the form's field),
// beside the token of the link and the browser's own cross-origin check.
func (a *App) confirmByLink(w http.ResponseWriter, r *http.Request) {
	link := clients.EmployerLink{Placement: r.PathValue("id"), Token: r.PostFormValue("token")}
	if c, err := r.Cookie(csrfCookie); err != nil || !signin.SameToken(r.PostFormValue(csrfField), c.Value) {
		p := a.newPage(r, "employer.title")
		p.Error = p.T("error.csrf")
		a.render(w, r, http.StatusForbidden, "error", p)
		return
	}
	if !clients.ValidID(link.Placement) || link.Token == "" {
		a.employerRefused(w, r, a.newPage(r, "employer.title"), errcode.New(errcode.Forbidden, "token", "no link"))
		return
	}
	c := &jobsv1.ConfirmByLinkRequest{PlacementId: link.Placement, Token: link.Token, On: r.PostFormValue("on"), Reason: r.PostFormValue("reason")}
	if r.PostFormValue("purpose") == "start" {
		c.WeeklyHours, c.Reason = int32(formInt(r, "weekly_hours")), ""
	}
	err := a.Jobs.Confirm(r.Context(), c)
	if err == nil {
		p := a.newPage(r, "employer.title")
		p.Notice = p.T("employer.thanks")
		p.Data = employerData{Confirmed: true}
		a.render(w, r, http.StatusOK, "employer", p)
		return
	}
	if errcode.Of(err) == errcode.Invalid {
		// A mistake in the form: show it again, the link unspent.
		p := a.newPage(r, "employer.title")
		on := "employer.end_on"
		if r.PostFormValue("purpose") == "start" {
			on = "employer.start_on"
		}
		status, _ := writeFailed(p, err, labels{"on": on, "weekly_hours": "placement.weekly_hours", "reason": "employer.reason"})
		a.showEmployer(w, r, link, status, p.Error)
		return
	}
	a.employerRefused(w, r, a.newPage(r, "employer.title"), err)
}

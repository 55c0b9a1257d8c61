package web

import (
	"context"
	"net/http"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/percorsi/percorsi/pkg/errcode"
	pathwayv1 "github.com/percorsi/percorsi/proto/percorsi/pathway/v1"
	"github.com/percorsi/percorsi/services/web/clients"
	"github.com/percorsi/percorsi/services/web/i18n"
)

// The case worker's pages beyond the caseload and the pathway page: the
// intake form, the plan, the audited read of personal data, alerts,
// permits and transfers. Every change goes to pathway, which checks role
// and organisation again and keeps the history.

// caseRoutes adds the case worker's pages and forms to mux.
func (a *App) caseRoutes(mux *http.ServeMux) {
	mux.Handle("GET /persons", a.signedIn(caseWorkers, a.personsPage))
	mux.Handle("GET /persons/open", a.signedIn(caseWorkers, a.openPerson))
	mux.Handle("GET /persons/{pseudonym}", a.signedIn(caseWorkers, a.personPage))
	mux.Handle("GET /intake", a.signedIn(caseWorkers, a.intakePage))
	mux.Handle("POST /intake", a.signedIn(caseWorkers, a.intake))
	mux.Handle("GET /persons/{pseudonym}/plan", a.signedIn(caseWorkers, a.planPage))
	mux.Handle("POST /persons/{pseudonym}/plan", a.signedIn(caseWorkers, a.savePlan))
	mux.Handle("POST /persons/{pseudonym}/personal", a.signedIn(caseWorkers, a.personalPage))
	mux.Handle("POST /persons/{pseudonym}/alerts", a.signedIn(caseWorkers, a.alertAction))
	mux.Handle("POST /persons/{pseudonym}/permits", a.signedIn(caseWorkers, a.recordPermit))
	mux.Handle("POST /persons/{pseudonym}/transfers", a.signedIn(caseWorkers, a.requestTransfer))
	mux.Handle("GET /transfers", a.signedIn(caseWorkers, a.transfersPage))
	mux.Handle("POST /transfers/decide", a.signedIn(caseWorkers, a.decideTransfer))
}

// Choices the forms offer; pathway holds the same lists and checks them.
var (
	programmes   = []string{"art18", "art13", "other"}
	referrals    = []string{"hotline", "contact_unit", "police", "territorial_commission", "social_services", "self"}
	permitKinds  = []string{"special_cases_art18", "international_protection", "asylum_applicant", "work_employed", "work_self_employed", "study", "eu_long_term", "not_required", "other"}
	goalStatuses = []string{"open", "achieved", "dropped"}
	docKinds     = []string{"passport", "identity_card", "residence_permit", "receipt", "other"}
	// data_processing is the consent without which the programme cannot
	// follow the person; the others widen who may be told what.
	consentScopes = []string{"data_processing", "data_sharing_services", "data_sharing_employers"}
)

// fieldErrors are a form's problems by field name, in words for the user.
type fieldErrors map[string]string

// ordered lists the errors in the order of fields, for the summary at
// the top of the form that links to each.
func (e fieldErrors) ordered(fields []string) []fact {
	var out []fact
	for _, f := range fields {
		if msg, ok := e[f]; ok {
			out = append(out, fact{f, msg})
		}
	}
	return out
}

// fromService places a service's Invalid error on the form field it
// names (mapped by rename), or returns false when it names none. It says
// so in the page's words: the field's place names it, and the service's
// own message is English.
func (e fieldErrors) fromService(p *page, err error, rename func(string) string) bool {
	ce := errcode.As(err)
	if ce == nil || ce.Code != errcode.Invalid {
		return false
	}
	field := rename(ce.Field)
	if field == "" {
		return false
	}
	e[field] = p.T("form.refused")
	return true
}

type intakeForm struct {
	DisplayName, Programme, Referral, Territory, Since string
	LegalName, BirthDate, Nationality, Languages       string
	Phone, Email, DocKind, DocNumber, DocExpires       string
	Consents                                           []string
	Errors                                             fieldErrors
	Summary                                            []fact
	Programmes, Referrals, DocKinds, Scopes            []option
}

// Has reports whether scope is ticked.
func (f intakeForm) Has(scope string) bool { return slices.Contains(f.Consents, scope) }

var intakeFields = []string{"display_name", "programme", "referral", "territory", "since", "legal_name", "birth_date", "nationality", "languages", "phone", "email", "doc_kind", "doc_number", "doc_expires", "consents"}

func (a *App) intakeChoices(p *page, f *intakeForm) {
	f.Programmes = a.options(p, "programme.", programmes)
	f.Referrals = a.options(p, "referral.", referrals)
	f.DocKinds = a.options(p, "document.", docKinds)
	f.Scopes = a.options(p, "consent.", consentScopes)
}

func (a *App) intakePage(w http.ResponseWriter, r *http.Request) {
	p := a.newPage(r, "intake.title")
	f := intakeForm{Since: time.Now().In(a.loc).Format(time.DateOnly), Errors: fieldErrors{}}
	a.intakeChoices(p, &f)
	p.Data = f
	a.render(w, r, http.StatusOK, "intake", p)
}

var isoDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

func validDate(s string) bool {
	if !isoDate.MatchString(s) {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// check finds every problem of the form at once, so the case worker
// fixes them in one pass rather than one refusal at a time.
func (f *intakeForm) check(p *page, today time.Time) {
	e := f.Errors
	if f.DisplayName == "" {
		e["display_name"] = p.T("form.required")
	}
	if !slices.Contains(programmes, f.Programme) {
		e["programme"] = p.T("form.choose")
	}
	if !slices.Contains(referrals, f.Referral) {
		e["referral"] = p.T("form.choose")
	}
	if f.Since != "" && !validDate(f.Since) {
		e["since"] = p.T("form.date")
	}
	if f.LegalName == "" {
		e["legal_name"] = p.T("form.required")
	}
	if f.BirthDate != "" {
		if !validDate(f.BirthDate) {
			e["birth_date"] = p.T("form.date")
		} else if b, _ := time.Parse(time.DateOnly, f.BirthDate); b.After(today) {
			e["birth_date"] = p.T("form.past")
		}
	}
	if f.Email != "" {
		if _, err := mail.ParseAddress(f.Email); err != nil {
			e["email"] = p.T("form.email")
		}
	}
	if f.DocNumber != "" && !slices.Contains(docKinds, f.DocKind) {
		e["doc_kind"] = p.T("form.choose")
	}
	if (f.DocKind != "" || f.DocExpires != "") && f.DocNumber == "" {
		e["doc_number"] = p.T("form.required")
	}
	if f.DocExpires != "" && !validDate(f.DocExpires) {
		e["doc_expires"] = p.T("form.date")
	}
	if !f.Has("data_processing") {
		e["consents"] = p.T("intake.consent_needed")
	}
}

// intakeField maps a pathway field to the form's.
func intakeField(field string) string {
	switch {
	case strings.HasPrefix(field, "personal.documents"):
		return "doc_number"
	case strings.HasPrefix(field, "consents"):
		return "consents"
	}
	f := strings.TrimPrefix(field, "personal.")
	if slices.Contains(intakeFields, f) {
		return f
	}
	return ""
}

func (a *App) intake(w http.ResponseWriter, r *http.Request) {
	p := a.newPage(r, "intake.title")
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := intakeForm{
		DisplayName: v("display_name"), Programme: v("programme"), Referral: v("referral"), Territory: v("territory"), Since: v("since"),
		LegalName: v("legal_name"), BirthDate: v("birth_date"), Nationality: v("nationality"), Languages: v("languages"),
		Phone: v("phone"), Email: v("email"), DocKind: v("doc_kind"), DocNumber: v("doc_number"), DocExpires: v("doc_expires"),
		Consents: r.PostForm["consents"], Errors: fieldErrors{},
	}
	a.intakeChoices(p, &f)
	f.check(p, time.Now().In(a.loc))
	status := http.StatusBadRequest
	if len(f.Errors) == 0 {
		in := &pathwayv1.IntakeRequest{
			DisplayName: f.DisplayName, Programme: f.Programme, Referral: f.Referral, Territory: f.Territory, Since: f.Since,
			Personal: &pathwayv1.PersonalData{LegalName: f.LegalName, BirthDate: f.BirthDate, Nationality: f.Nationality, Phone: f.Phone, Email: f.Email},
		}
		for _, scope := range consentScopes { // only the scopes offered, in their order
			if f.Has(scope) {
				in.Consents = append(in.Consents, scope)
			}
		}
		for _, l := range strings.Split(f.Languages, ",") {
			if l = strings.TrimSpace(l); l != "" {
				in.Personal.Languages = append(in.Personal.Languages, l)
			}
		}
		if f.DocNumber != "" {
			in.Personal.Documents = []*pathwayv1.Document{{Kind: f.DocKind, Number: f.DocNumber, ExpiresOn: f.DocExpires}}
		}
		rec, err := a.Pathway.Intake(r.Context(), in)
		if err == nil {
			http.Redirect(w, r, "/persons/"+url.PathEscape(rec.Pseudonym)+"?created=1", http.StatusSeeOther)
			return
		}
		if !f.Errors.fromService(p, err, intakeField) {
			if errcode.Of(err) != errcode.Invalid {
				// Nothing was taken in charge: say so, keep what was typed.
				status = a.statusOf(r.Context(), p, err, "pathway")
			} else {
				p.Error = p.T("error.invalid", errcode.As(err).Message)
			}
		}
	}
	// The summary at the top of the form says it, linking to each field.
	f.Summary = f.Errors.ordered(intakeFields)
	p.Data = f
	a.render(w, r, status, "intake", p)
}

// statusOf turns a failed write into what the form page says above the
// data kept as typed: the service away, a refusal, or a fault.
func (a *App) statusOf(ctx context.Context, p *page, err error, part string) int {
	switch errcode.Of(err) {
	case errcode.Unavailable:
		p.Away = append(p.Away, p.T("unavailable."+part))
		return http.StatusServiceUnavailable
	case errcode.Forbidden:
		p.Error = p.T("error.forbidden")
		return http.StatusForbidden
	case errcode.NotFound:
		p.Error = p.T("error.not_found")
		return http.StatusNotFound
	case errcode.Conflict:
		p.Error = p.T("error.changed")
		return http.StatusConflict
	}
	a.Log.ErrorContext(ctx, "a pathway write failed", "err", err)
	p.Error = p.T("error.internal")
	return http.StatusInternalServerError
}

// pseudonymOf returns the path's pseudonym, or answers Not found.
func (a *App) pseudonymOf(w http.ResponseWriter, r *http.Request, p *page) (string, bool) {
	ps := r.PathValue("pseudonym")
	if !clients.ValidID(ps) {
		a.fail(w, r, p, "pathway", errcode.New(errcode.NotFound, "pseudonym", "not a pseudonym"))
		return "", false
	}
	return ps, true
}

// backToPerson shows the pathway page again after an action: done names
// the notice, on success.
func backToPerson(w http.ResponseWriter, r *http.Request, ps, done string) {
	http.Redirect(w, r, "/persons/"+url.PathEscape(ps)+"?done="+done, http.StatusSeeOther)
}

// actionFailed shows the pathway page with what went wrong with an
// action, or the error page when the pathway cannot be read at all. l
// labels the fields of pathway's refusal; nil when err is web's own words.
func (a *App) actionFailed(w http.ResponseWriter, r *http.Request, p *page, ps string, err error, l labels, edit func(*personData)) {
	status := http.StatusBadRequest
	if e := errcode.As(err); e != nil && e.Code == errcode.Invalid {
		what, _ := refusal(p, e, l)
		p.Error = p.T("error.invalid", what)
	} else {
		status = a.statusOf(r.Context(), p, err, "pathway")
	}
	d, derr := a.personData(r, p, ps)
	if derr != nil {
		a.fail(w, r, p, "pathway", derr)
		return
	}
	if edit != nil {
		edit(&d)
	}
	p.Title, p.Data = d.Name, d
	a.render(w, r, status, "person", p)
}

// planRow is one goal in the plan form, as typed.
type planRow struct {
	ID, Domain, Title, Target, FollowBy, Status string
	Errors                                      fieldErrors
}

type planData struct {
	Pseudonym, Name string
	Revision        int
	Rows            []planRow
	Areas, Statuses []option
}

// blankGoals is how many empty rows the plan form offers for new goals.
const blankGoals = 3

func (a *App) planPage(w http.ResponseWriter, r *http.Request) {
	p := a.newPage(r, "plan.title")
	ps, ok := a.pseudonymOf(w, r, p)
	if !ok {
		return
	}
	rec, err := a.Pathway.Person(r.Context(), ps)
	if err != nil {
		a.fail(w, r, p, "pathway", err)
		return
	}
	d := planData{Pseudonym: ps, Name: rec.DisplayName, Areas: a.options(p, "area.", areas), Statuses: a.options(p, "goal.", goalStatuses)}
	if rec.Plan != nil {
		d.Revision = int(rec.Plan.Revision)
		for _, g := range rec.Plan.Goals {
			d.Rows = append(d.Rows, planRow{ID: g.Id, Domain: g.Domain, Title: g.Title, Target: g.Target, FollowBy: g.FollowBy, Status: g.Status})
		}
	}
	for range blankGoals {
		d.Rows = append(d.Rows, planRow{Status: "open"})
	}
	p.Title = p.T("plan.title_of", rec.DisplayName)
	p.Data = d
	a.render(w, r, http.StatusOK, "plan", p)
}

// goalField finds the goal a pathway error names, as "goals[2].title".
var goalField = regexp.MustCompile(`^goals\[(\d+)\]\.(\w+)$`)

func (a *App) savePlan(w http.ResponseWriter, r *http.Request) {
	p := a.newPage(r, "plan.title")
	ps, ok := a.pseudonymOf(w, r, p)
	if !ok {
		return
	}
	d := planData{Pseudonym: ps, Name: r.PostFormValue("name"), Areas: a.options(p, "area.", areas), Statuses: a.options(p, "goal.", goalStatuses)}
	d.Revision, _ = strconv.Atoi(r.PostFormValue("revision"))
	form := r.PostForm
	var goals []*pathwayv1.Goal
	var sent []int // the row of each goal sent
	bad := 0
	for i := range form["title"] {
		at := func(k string) string {
			if vs := form[k]; i < len(vs) {
				return strings.TrimSpace(vs[i])
			}
			return ""
		}
		row := planRow{ID: at("id"), Domain: at("domain"), Title: at("title"), Target: at("target"), FollowBy: at("follow_by"), Status: at("status"), Errors: fieldErrors{}}
		d.Rows = append(d.Rows, row)
		if row.Title == "" && row.ID == "" {
			continue // an empty row for a new goal, left empty
		}
		if row.Title == "" {
			row.Errors["title"] = p.T("plan.title_needed")
		}
		if !slices.Contains(areas, row.Domain) {
			row.Errors["domain"] = p.T("form.choose")
		}
		if !slices.Contains(goalStatuses, row.Status) {
			row.Errors["status"] = p.T("form.choose")
		}
		if row.Target != "" && !validDate(row.Target) {
			row.Errors["target"] = p.T("form.date")
		}
		bad += len(row.Errors)
		goals = append(goals, &pathwayv1.Goal{Id: row.ID, Domain: row.Domain, Title: row.Title, Target: row.Target, FollowBy: row.FollowBy, Status: row.Status})
		sent = append(sent, i)
	}
	status := http.StatusBadRequest
	if bad == 0 {
		err := a.Pathway.UpdatePlan(r.Context(), ps, goals)
		if err == nil {
			backToPerson(w, r, ps, "plan")
			return
		}
		if e := errcode.As(err); e != nil && e.Code == errcode.Invalid {
			if m := goalField.FindStringSubmatch(e.Field); m != nil {
				if i, _ := strconv.Atoi(m[1]); i < len(sent) {
					d.Rows[sent[i]].Errors[m[2]] = p.T("form.refused")
					bad++
				}
			}
			if bad == 0 {
				p.Error = p.T("error.invalid", e.Message)
			}
		} else {
			status = a.statusOf(r.Context(), p, err, "pathway")
		}
	}
	if bad > 0 {
		p.Error = p.T("form.check", bad)
	}
	p.Title = p.T("plan.title_of", d.Name)
	p.Data = d
	a.render(w, r, status, "plan", p)
}

type personalData struct {
	Pseudonym, Name, Reason string
	Personal                *pathwayv1.PersonalData
	Documents               []fact
}

// personalPage shows a person's personal data. Pathway writes who read
// what and why to its audit log before it answers, so the reason is
// required; the page is a POST so that the reason and the data stay out
// of URLs, histories and logs.
func (a *App) personalPage(w http.ResponseWriter, r *http.Request) {
	p := a.newPage(r, "personal.title")
	ps, ok := a.pseudonymOf(w, r, p)
	if !ok {
		return
	}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if reason == "" {
		a.actionFailed(w, r, p, ps, errcode.New(errcode.Invalid, "reason", "%s", p.T("personal.reason_needed")), nil, nil)
		return
	}
	personal, err := a.Pathway.Personal(r.Context(), ps, reason)
	if err != nil {
		a.fail(w, r, p, "pathway", err)
		return
	}
	d := personalData{Pseudonym: ps, Name: r.PostFormValue("name"), Reason: reason, Personal: personal}
	for _, doc := range personal.GetDocuments() {
		value := doc.Number
		if doc.ExpiresOn != "" {
			value = p.T("personal.document_expires", doc.Number, dayText(p.Lang, doc.ExpiresOn))
		}
		d.Documents = append(d.Documents, fact{i18n.Or(p.Lang, "document."+doc.Kind, doc.Kind), value})
	}
	p.Data = d
	a.render(w, r, http.StatusOK, "personal", p)
}

func (a *App) alertAction(w http.ResponseWriter, r *http.Request) {
	p := a.newPage(r, "person.title")
	ps, ok := a.pseudonymOf(w, r, p)
	if !ok {
		return
	}
	id, action := r.PostFormValue("alert"), r.PostFormValue("action")
	if id == "" || len(id) > 200 || (action != "acknowledge" && action != "resolve") {
		a.fail(w, r, p, "pathway", errcode.New(errcode.NotFound, "alert", "no such alert"))
		return
	}
	req := &pathwayv1.AlertActionRequest{Pseudonym: ps, AlertId: id, Action: action, Note: strings.TrimSpace(r.PostFormValue("note"))}
	if err := a.Pathway.AlertAction(r.Context(), req); err != nil {
		a.actionFailed(w, r, p, ps, err, labels{"note": "alerts.note"}, nil)
		return
	}
	backToPerson(w, r, ps, "alert_"+action)
}

func (a *App) recordPermit(w http.ResponseWriter, r *http.Request) {
	p := a.newPage(r, "person.title")
	ps, ok := a.pseudonymOf(w, r, p)
	if !ok {
		return
	}
	x := &pathwayv1.RecordPermitRequest{
		Pseudonym: ps, Kind: r.PostFormValue("kind"), ValidFrom: r.PostFormValue("valid_from"), ValidUntil: r.PostFormValue("valid_until"),
		MayWork: r.PostFormValue("may_work") == "1", ConvertedFrom: r.PostFormValue("converted_from"),
	}
	switch {
	case !slices.Contains(permitKinds, x.Kind):
		a.actionFailed(w, r, p, ps, errcode.New(errcode.Invalid, "kind", "%s", p.T("permit.kind_needed")), nil, nil)
	case !validDate(x.ValidFrom) || (x.ValidUntil != "" && !validDate(x.ValidUntil)):
		a.actionFailed(w, r, p, ps, errcode.New(errcode.Invalid, "valid_from", "%s", p.T("permit.dates_needed")), nil, nil)
	default:
		if err := a.Pathway.RecordPermit(r.Context(), x); err != nil {
			a.actionFailed(w, r, p, ps, err, permitLabels, nil)
			return
		}
		backToPerson(w, r, ps, "permit")
	}
}

// permitLabels name what pathway may refuse in the permit form.
var permitLabels = labels{"kind": "legal.kind", "valid_from": "legal.valid_from", "valid_until": "legal.valid_until", "converted_from": "legal.converted_from"}

// transferForm is the transfer request as typed.
type transferForm struct {
	To, Territory, Reason string
	Errors                fieldErrors
}

func (a *App) requestTransfer(w http.ResponseWriter, r *http.Request) {
	p := a.newPage(r, "person.title")
	ps, ok := a.pseudonymOf(w, r, p)
	if !ok {
		return
	}
	f := transferForm{To: strings.TrimSpace(r.PostFormValue("to_organisation")), Territory: strings.TrimSpace(r.PostFormValue("to_territory")),
		Reason: strings.TrimSpace(r.PostFormValue("reason")), Errors: fieldErrors{}}
	if f.To == "" {
		f.Errors["to_organisation"] = p.T("form.required")
	}
	if f.Reason == "" {
		f.Errors["reason"] = p.T("form.required")
	}
	var err error
	if len(f.Errors) == 0 {
		req := &pathwayv1.RequestTransferRequest{Pseudonym: ps, ToOrganisation: f.To, ToTerritory: f.Territory, Reason: f.Reason}
		if err = a.Pathway.RequestTransfer(r.Context(), req); err == nil {
			backToPerson(w, r, ps, "transfer")
			return
		}
		f.Errors.fromService(p, err, func(field string) string {
			if field == "to_organisation" || field == "reason" {
				return field
			}
			return ""
		})
	}
	l := labels{"to_territory": "transfer.territory"} // the others land on their field
	if len(f.Errors) > 0 {
		err, l = errcode.New(errcode.Invalid, "", "%s", p.T("transfer.check")), nil
	}
	a.actionFailed(w, r, p, ps, err, l, func(d *personData) { d.Transfer = f })
}

type incomingRow struct {
	Pseudonym, Programme, From, Territory, Reason, Requested, TransferID string
}

func (a *App) transfersPage(w http.ResponseWriter, r *http.Request) {
	p := a.newPage(r, "transfers.title")
	in, err := a.Pathway.IncomingTransfers(r.Context())
	if err != nil {
		a.fail(w, r, p, "pathway", err)
		return
	}
	var rows []incomingRow
	tm := &times{loc: a.loc}
	for _, x := range in {
		t := x.GetTransfer()
		row := incomingRow{Pseudonym: x.Pseudonym, From: t.GetFromOrganisation(), Territory: t.GetToTerritory(), Reason: t.GetReason(),
			Requested: tm.day(p.Lang, t.GetRequestedAt()), TransferID: t.GetId()}
		if x.Programme != "" {
			row.Programme = p.T("programme." + x.Programme)
		}
		rows = append(rows, row)
	}
	if tm.err != nil {
		a.fail(w, r, p, "pathway", tm.err)
		return
	}
	if r.URL.Query().Get("decided") == "refused" {
		p.Notice = p.T("transfers.refused")
	}
	p.Data = rows
	a.render(w, r, http.StatusOK, "transfers", p)
}

// decideTransfer accepts or refuses a transfer addressed to the case
// worker's organisation. Accepted, the person joins its caseload.
func (a *App) decideTransfer(w http.ResponseWriter, r *http.Request) {
	p := a.newPage(r, "transfers.title")
	ps, id, decision := r.PostFormValue("pseudonym"), r.PostFormValue("transfer"), r.PostFormValue("decision")
	if !clients.ValidID(ps) || !clients.ValidID(id) || (decision != "accept" && decision != "refuse") {
		a.fail(w, r, p, "pathway", errcode.New(errcode.NotFound, "transfer", "no such transfer"))
		return
	}
	if err := a.Pathway.DecideTransfer(r.Context(), ps, id, decision == "accept"); err != nil {
		a.fail(w, r, p, "pathway", err)
		return
	}
	if decision == "accept" {
		backToPerson(w, r, ps, "transfer_accepted")
		return
	}
	http.Redirect(w, r, "/transfers?decided=refused", http.StatusSeeOther)
}

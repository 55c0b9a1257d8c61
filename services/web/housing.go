package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/euro"
	housingv1 "github.com/percorsi/percorsi/proto/percorsi/housing/v1"
	"github.com/percorsi/percorsi/services/web/clients"
	"github.com/percorsi/percorsi/services/web/signin"
)

// housingRoutes adds the housing worker's pages.
func (a *App) housingRoutes(mux *http.ServeMux) {
	mux.Handle("GET /housing", a.signedIn(housingWorkers, a.housingHome))
	mux.Handle("GET /housing/persons/open", a.signedIn(housingWorkers, a.openByCode("/housing/persons/")))
	mux.Handle("GET /housing/persons/{pseudonym}", a.signedIn(housingWorkers, a.housingPersonPage))
	mux.Handle("POST /housing/steps", a.signedIn(housingWorkers, a.startStep))
	mux.Handle("POST /housing/steps/{id}/move", a.signedIn(housingWorkers, a.moveStep))
	mux.Handle("POST /housing/steps/{id}/end", a.signedIn(housingWorkers, a.endStep))
	mux.Handle("POST /housing/offers/{id}/proposals", a.signedIn(housingWorkers, a.proposeOffer))
	mux.Handle("POST /housing/proposals/{id}/outcome", a.signedIn(housingWorkers, a.decideOffer))
	mux.Handle("POST /housing/proposals/{id}/lease", a.signedIn(housingWorkers, a.signLease))
}

// The housing worker's pages: the availability board, the organisation's
// accommodations with who lives there, the offers on the market; and a
// person's steps (start, move, end with where they went) and offers
// (proposals, outcome, lease). Housing knows people by pseudonym only, and
// so do these pages.

// Choices the forms offer, as the housing service names them.
var (
	stepKinds    = []string{"emergency_shelter", "protected_shelter", "semi_autonomy_flat", "host_family", "own_lease"}
	exitReasons  = []string{"own_lease", "programme_completed", "left_voluntarily", "rules_breach", "assisted_voluntary_return", "transferred", "other"}
	destinations = []string{"own_lease", "semi_autonomy_flat", "host_family", "family_or_friends", "other_project", "country_of_origin", "homeless", "unknown", "other"}
	outcomes     = []string{"accepted", "declined", "withdrawn"}
)

type housingHomeData struct {
	Board          []*housingv1.BoardRow
	Accommodations []*housingv1.Accommodation
	Offers         []offerItem
}

type offerItem struct {
	*housingv1.Offer
	Rent, From string
}

func (a *App) housingHome(w http.ResponseWriter, r *http.Request) {
	p := a.newPage(r, "housing.title")
	var d housingHomeData
	var err error
	if d.Board, err = a.Housing.Board(r.Context()); err != nil {
		a.fail(w, r, p, "housing", err)
		return
	}
	if d.Accommodations, err = a.Housing.Accommodations(r.Context()); err != nil {
		a.fail(w, r, p, "housing", err)
		return
	}
	offers, err := a.Housing.Offers(r.Context())
	if err != nil {
		a.fail(w, r, p, "housing", err)
		return
	}
	for _, o := range offers {
		d.Offers = append(d.Offers, offerItem{Offer: o, Rent: euro.Format(p.Lang, o.MonthlyRentCents), From: dayText(p.Lang, o.AvailableFrom)})
	}
	p.Data = d
	a.render(w, r, http.StatusOK, "housing", p)
}

type housingPersonData struct {
	Person         string
	Open           *housingv1.Step // the step the person is in, if any
	OpenPlace      string          // its accommodation's name, when it is one of ours
	Past           []*housingv1.Step
	Proposals      []housingProposalItem
	Matches        []matchItem
	Budget         string
	Accommodations []*housingv1.Accommodation
	Today, NewStep string // NewStep: the id a started step will have
	Kinds          []string
	Reasons        []string
	Destinations   []string
	Outcomes       []string
}

type housingProposalItem struct {
	*housingv1.Proposal
	Offer *housingv1.Offer
	When  string
}

type matchItem struct {
	Offer   offerItem
	Reasons []string
}

func (a *App) housingPersonPage(w http.ResponseWriter, r *http.Request) {
	a.showHousingPerson(w, r, r.PathValue("pseudonym"), nil)
}

// showHousingPerson shows a person's housing; writeErr is what a form of
// the page got back.
func (a *App) showHousingPerson(w http.ResponseWriter, r *http.Request, person string, writeErr error) {
	p := a.newPage(r, "housing.person_title")
	if !clients.ValidID(person) {
		a.fail(w, r, p, "housing", errcode.New(errcode.NotFound, "person", "not a pseudonym"))
		return
	}
	status := http.StatusOK
	if writeErr != nil {
		var ok bool
		if status, ok = writeFailed(p, writeErr, housingLabels); !ok {
			a.fail(w, r, p, "housing", writeErr)
			return
		}
	}
	doneNotice(p, r)
	ph, err := a.Housing.Person(r.Context(), person)
	if err != nil {
		a.fail(w, r, p, "housing", err)
		return
	}
	d := housingPersonData{
		Person: person, Today: a.today(), NewStep: "step-" + signin.Token()[:16],
		Kinds: stepKinds, Reasons: exitReasons, Destinations: destinations, Outcomes: outcomes,
	}
	for _, st := range ph.GetSteps() {
		if st.End == "" {
			d.Open = st
			continue
		}
		st.Start, st.End = dayText(p.Lang, st.Start), dayText(p.Lang, st.End)
		d.Past = append(d.Past, st)
	}
	if d.Open != nil {
		d.Open.Start = dayText(p.Lang, d.Open.Start)
	}
	if d.Accommodations, err = a.Housing.Accommodations(r.Context()); err != nil {
		a.fail(w, r, p, "housing", err)
		return
	}
	for _, acc := range d.Accommodations {
		if d.Open != nil && acc.Id == d.Open.AccommodationId {
			d.OpenPlace = acc.Name
		}
	}
	offers, err := a.Housing.Offers(r.Context())
	if err != nil {
		a.fail(w, r, p, "housing", err)
		return
	}
	tm := &times{loc: a.loc}
	for _, pr := range ph.GetProposals() {
		item := housingProposalItem{Proposal: pr, When: tm.day(p.Lang, pr.ProposedAt)}
		for _, o := range offers {
			if o.Id == pr.OfferId {
				item.Offer = o
			}
		}
		d.Proposals = append(d.Proposals, item)
	}
	if tm.err != nil {
		a.fail(w, r, p, "housing", tm.err)
		return
	}
	// Matches need a readiness profile of the worker's organisation;
	// without one there is nothing to rank, which is no fault of the page.
	switch m, err := a.Housing.Matches(r.Context(), person, p.Lang); {
	case err == nil:
		d.Budget = euro.Format(p.Lang, m.BudgetCents)
		for _, x := range m.GetMatches() {
			o := x.GetOffer()
			d.Matches = append(d.Matches, matchItem{Offer: offerItem{Offer: o, Rent: euro.Format(p.Lang, o.GetMonthlyRentCents()), From: dayText(p.Lang, o.GetAvailableFrom())}, Reasons: x.Reasons})
		}
	case errcode.Of(err) != errcode.NotFound && errcode.Of(err) != errcode.Forbidden:
		a.fail(w, r, p, "housing", err)
		return
	}
	p.Title = p.T("housing.person_title") + " " + person
	p.Data = d
	a.render(w, r, status, "housing_person", p)
}

// housingLabels name what housing may refuse in the person's page's forms.
var housingLabels = labels{
	"kind": "housing.kind", "accommodation_id": "housing.accommodation", "start": "housing.start",
	"end": "housing.end_on", "reason": "housing.reason", "destination": "housing.destination", "outcome": "housing.outcome",
	"signed_on": "housing.signed_on", "monthly_rent_cents": "housing.rent_label", "duration_months": "housing.duration_months",
}

// afterHousingWrite goes back to the person's page saying what was done,
// or shows the page again with what went wrong.
func (a *App) afterHousingWrite(w http.ResponseWriter, r *http.Request, err error, done string) {
	person := r.PostFormValue("person")
	if err != nil || !clients.ValidID(person) {
		a.showHousingPerson(w, r, person, err)
		return
	}
	http.Redirect(w, r, "/housing/persons/"+url.PathEscape(person)+"?done="+done, http.StatusSeeOther)
}

func (a *App) startStep(w http.ResponseWriter, r *http.Request) {
	err := a.Housing.StartStep(r.Context(), &housingv1.StartStepRequest{
		Id: r.PostFormValue("step"), Person: r.PostFormValue("person"), Kind: r.PostFormValue("kind"),
		AccommodationId: r.PostFormValue("accommodation"), Start: r.PostFormValue("start"),
	})
	a.afterHousingWrite(w, r, err, "step_started")
}

func (a *App) moveStep(w http.ResponseWriter, r *http.Request) {
	err := a.Housing.MoveStep(r.Context(), &housingv1.MoveStepRequest{
		From: r.PathValue("id"), Kind: r.PostFormValue("kind"), AccommodationId: r.PostFormValue("accommodation"), Start: r.PostFormValue("start"),
	})
	a.afterHousingWrite(w, r, err, "step_moved")
}

func (a *App) endStep(w http.ResponseWriter, r *http.Request) {
	err := a.Housing.EndStep(r.Context(), &housingv1.EndStepRequest{
		Id: r.PathValue("id"), End: r.PostFormValue("end"), Reason: r.PostFormValue("reason"), Destination: r.PostFormValue("destination"),
	})
	a.afterHousingWrite(w, r, err, "step_ended")
}

func (a *App) proposeOffer(w http.ResponseWriter, r *http.Request) {
	err := a.Housing.Propose(r.Context(), r.PathValue("id"), r.PostFormValue("person"))
	a.afterHousingWrite(w, r, err, "offer_proposed")
}

func (a *App) decideOffer(w http.ResponseWriter, r *http.Request) {
	err := a.Housing.Decide(r.Context(), r.PathValue("id"), r.PostFormValue("outcome"), strings.TrimSpace(r.PostFormValue("reason")))
	a.afterHousingWrite(w, r, err, "outcome")
}

func (a *App) signLease(w http.ResponseWriter, r *http.Request) {
	err := a.Housing.SignLease(r.Context(), &housingv1.SignLeaseRequest{
		Id: r.PathValue("id"), SignedOn: r.PostFormValue("signed_on"), Start: r.PostFormValue("start"),
		MonthlyRentCents: formCents(r, "rent"), DurationMonths: int32(formInt(r, "duration_months")),
	})
	a.afterHousingWrite(w, r, err, "lease")
}

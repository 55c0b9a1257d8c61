package housing_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	housingv1 "github.com/percorsi/percorsi/proto/percorsi/housing/v1"
	"github.com/percorsi/percorsi/services/housing"
)

// TestFromShelterToOwnLease follows one person over HTTP from a protected
// shelter to a semi-autonomy flat, through an offer matched to her means
// and work, to a signed lease with rent support, and out of the housing
// pathway; then reads what reached Kafka.
func TestFromShelterToOwnLease(t *testing.T) {
	f := start(t)
	const amina = "ps-amina"
	shelter := f.accommodation(t, "aurora", "Casa Rifugio", "protected_shelter", "RM", "Via Nascosta 3, Roma", 6)
	flat := f.accommodation(t, "aurora", "Appartamento Pigneto", "semi_autonomy_flat", "RM", "Via del Pigneto 10, Roma", 3)

	var first housing.StepResponse
	body := `{"id":"st-1","person":"ps-amina","kind":"protected_shelter","accommodation_id":"` + shelter + `","start":"2026-01-05"}`
	f.must(t, http.StatusCreated, "aurora", http.MethodPost, "/v1/steps", body, &first)
	// A retry of the same request changes nothing.
	f.must(t, http.StatusOK, "aurora", http.MethodPost, "/v1/steps", body, nil)
	// One open step at a time.
	status, raw := f.call(t, "aurora", http.MethodPost, "/v1/steps", stepBody(amina, "semi_autonomy_flat", flat, "2026-01-06"))
	if status != http.StatusConflict || errorOf(t, raw).Error.Field != "person" {
		t.Fatalf("second open step: %d %s", status, raw)
	}

	var moved, again housing.StepResponse
	move := `{"kind":"semi_autonomy_flat","accommodation_id":"` + flat + `","start":"2026-04-01"}`
	f.must(t, http.StatusCreated, "aurora", http.MethodPost, "/v1/steps/st-1/move", move, &moved)
	if moved.Step.Previous != "st-1" || moved.Step.Person != amina {
		t.Fatalf("moved step %+v", moved.Step)
	}
	// A step is followed once: moving it again answers the same move.
	f.must(t, http.StatusCreated, "aurora", http.MethodPost, "/v1/steps/st-1/move", move, &again)
	if again.Step.ID != moved.Step.ID {
		t.Fatalf("a retried move started %s after %s", again.Step.ID, moved.Step.ID)
	}

	// Ready for autonomy: a job in Pigneto, 1,300 euro a month, alone.
	f.must(t, http.StatusOK, "aurora-cw", http.MethodPut, "/v1/persons/"+amina+"/profile",
		`{"monthly_income_cents":130000,"household_size":1,"work_territory":"RM","work_area":"Roma - Pigneto"}`, nil)
	// Rent support for the first six months of the lease to come.
	now := time.Now().UTC()
	supportStart := time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, time.UTC)
	var rent housing.RentSupportResponse
	f.must(t, http.StatusCreated, "aurora", http.MethodPost, "/v1/rent-supports",
		`{"person":"ps-amina","monthly_amount_cents":20000,"months":6,"start":"`+supportStart.Format(time.DateOnly)+`"}`, &rent)
	offers := map[string]string{}
	for _, o := range []struct{ name, body string }{
		{"near work", `{"source":"landlord","monthly_rent_cents":55000,"territory":"RM","area":"Roma - Pigneto","places":1,"available_from":"2026-05-01"}`},
		{"cheaper, farther", `{"source":"agency","monthly_rent_cents":45000,"territory":"RM","area":"Roma - Tiburtino","places":2,"available_from":"2026-05-01"}`},
		{"too dear", `{"source":"agency","monthly_rent_cents":90000,"territory":"RM","area":"Roma - Pigneto","places":2,"available_from":"2026-05-01"}`},
		{"other province", `{"source":"public_programme","monthly_rent_cents":30000,"territory":"LT","area":"Latina","places":1,"available_from":"2026-05-01"}`},
	} {
		var resp housing.OfferResponse
		f.must(t, http.StatusCreated, "stella", http.MethodPost, "/v1/offers", o.body, &resp)
		offers[o.name] = resp.Offer.ID
	}
	var matches housing.MatchesResponse
	f.must(t, http.StatusOK, "aurora", http.MethodGet, "/v1/persons/"+amina+"/offer-matches", "", &matches)
	// Budget: 35% of 1,300 euro plus 200 euro of rent support.
	if matches.BudgetCents != 45500+20000 {
		t.Fatalf("budget %d", matches.BudgetCents)
	}
	var ranked []string
	for _, m := range matches.Matches {
		ranked = append(ranked, m.Offer.ID)
	}
	if want := []string{offers["near work"], offers["cheaper, farther"]}; !slices.Equal(ranked, want) {
		t.Fatalf("matches %v, want %v", ranked, want)
	}
	// The reasons in Italian unless English is asked for.
	wantReasons := map[string][]string{
		"it": {"affitto 550,00 € al mese su un budget di 655,00 €", "ospita 1 persona, il nucleo familiare è di 1 persona", "nella zona di lavoro (Roma - Pigneto)"},
		"en": {"rent €550.00 a month on a budget of €655.00", "houses 1 person, the household is 1 person", "in the area of work (Roma - Pigneto)"},
	}
	if got := matches.Matches[0].Reasons; !slices.Equal(got, wantReasons["it"]) {
		t.Fatalf("reasons %q, want %q", got, wantReasons["it"])
	}
	var english housing.MatchesResponse
	f.must(t, http.StatusOK, "aurora", http.MethodGet, "/v1/persons/"+amina+"/offer-matches?lang=en", "", &english)
	if got := english.Matches[0].Reasons; !slices.Equal(got, wantReasons["en"]) {
		t.Fatalf("reasons in English %q, want %q", got, wantReasons["en"])
	}
	if got := english.Matches[1].Reasons; !slices.Equal(got, []string{"rent €450.00 a month on a budget of €655.00", "houses 2 people, the household is 1 person", "in the province of work (RM), area Roma - Tiburtino"}) {
		t.Fatalf("the farther offer's reasons in English %q", got)
	}

	var prop, rival housing.ProposalResponse
	f.must(t, http.StatusCreated, "aurora", http.MethodPost, "/v1/offers/"+offers["near work"]+"/proposals", `{"person":"ps-amina"}`, &prop)
	// The same flat is proposed to Joy too, who accepts it as well.
	f.must(t, http.StatusOK, "aurora", http.MethodPut, "/v1/persons/ps-joy/profile",
		`{"monthly_income_cents":150000,"household_size":1,"work_territory":"RM","work_area":"Roma - Pigneto"}`, nil)
	f.must(t, http.StatusCreated, "aurora", http.MethodPost, "/v1/offers/"+offers["near work"]+"/proposals", `{"person":"ps-joy"}`, &rival)
	f.must(t, http.StatusOK, "aurora", http.MethodPost, "/v1/proposals/"+rival.Proposal.ID+"/outcome", `{"outcome":"accepted"}`, nil)
	status, raw = f.call(t, "aurora", http.MethodPost, "/v1/proposals/"+prop.Proposal.ID+"/lease", `{"signed_on":"2026-04-20","start":"2026-05-01","monthly_rent_cents":55000,"duration_months":48}`)
	if status != http.StatusConflict {
		t.Fatalf("lease before acceptance: %d %s", status, raw)
	}
	f.must(t, http.StatusOK, "aurora", http.MethodPost, "/v1/proposals/"+prop.Proposal.ID+"/outcome", `{"outcome":"accepted"}`, nil)
	var leased housing.ProposalResponse
	lease := `{"signed_on":"2026-04-20","start":"2026-05-01","monthly_rent_cents":55000,"duration_months":48}`
	f.must(t, http.StatusOK, "aurora", http.MethodPost, "/v1/proposals/"+prop.Proposal.ID+"/lease", lease, &leased)
	// Signing again is a harmless retry; the flat is leased once.
	f.must(t, http.StatusOK, "aurora", http.MethodPost, "/v1/proposals/"+prop.Proposal.ID+"/lease", lease, nil)
	status, raw = f.call(t, "aurora", http.MethodPost, "/v1/proposals/"+rival.Proposal.ID+"/lease", lease)
	if status != http.StatusConflict || errorOf(t, raw).Error.Field != "offer_id" {
		t.Fatalf("a second lease of the same flat: %d %s", status, raw)
	}
	status, raw = f.call(t, "aurora", http.MethodPost, "/v1/offers/"+offers["near work"]+"/proposals", `{"person":"ps-joy"}`)
	if status != http.StatusConflict || errorOf(t, raw).Error.Field != "offer_id" {
		t.Fatalf("proposing a leased flat: %d %s", status, raw)
	}
	if leased.Proposal.Outcome != "leased" || leased.Step == nil || leased.Step.Kind != "own_lease" || leased.Step.Previous != moved.Step.ID {
		t.Fatalf("lease %+v step %+v", leased.Proposal, leased.Step)
	}
	payment := `{"month":"` + supportStart.Format("2006-01") + `","amount_cents":20000}`
	f.must(t, http.StatusOK, "aurora", http.MethodPost, "/v1/rent-supports/"+rent.RentSupport.ID+"/payments", payment, nil)
	status, raw = f.call(t, "aurora", http.MethodPost, "/v1/rent-supports/"+rent.RentSupport.ID+"/payments", payment)
	if status != http.StatusConflict || errorOf(t, raw).Error.Field != "month" {
		t.Fatalf("paying a month twice: %d %s", status, raw)
	}
	var open housing.OffersResponse
	f.must(t, http.StatusOK, "aurora", http.MethodGet, "/v1/offers?territory=RM", "", &open)
	if len(open.Offers) != 2 {
		t.Fatalf("%d open offers in RM after the lease, want 2", len(open.Offers))
	}
	f.must(t, http.StatusOK, "aurora", http.MethodPost, "/v1/steps/"+leased.Step.ID+"/end", `{"end":"2026-10-31","reason":"programme_completed","destination":"own_lease"}`, nil)

	var person housing.PersonResponse
	f.must(t, http.StatusOK, "aurora-cw", http.MethodGet, "/v1/persons/"+amina+"/housing", "", &person)
	var history []string
	for _, s := range person.Steps {
		history = append(history, fmt.Sprintf("%s %s..%s %s>%s", s.Kind, s.Start, s.End, s.Reason, s.Destination))
	}
	want := []string{
		"protected_shelter 2026-01-05..2026-04-01 moved_on>semi_autonomy_flat",
		"semi_autonomy_flat 2026-04-01..2026-05-01 own_lease>own_lease",
		"own_lease 2026-05-01..2026-10-31 programme_completed>own_lease",
	}
	if !slices.Equal(history, want) {
		t.Fatalf("history\n%s\nwant\n%s", strings.Join(history, "\n"), strings.Join(want, "\n"))
	}
	if len(person.RentSupports) != 1 || len(person.RentSupports[0].Payments) != 1 || len(person.Proposals) != 1 || person.Proposals[0].Lease == nil {
		t.Fatalf("person %+v", person)
	}
	var board housing.BoardResponse
	f.must(t, http.StatusOK, "monitoring", http.MethodGet, "/v1/availability", "", &board)
	if fmt.Sprint(board.Rows) != "[{RM protected_shelter 1 6 6} {RM semi_autonomy_flat 1 3 3}]" {
		t.Fatalf("board %v", board.Rows)
	}

	// Monitoring sees aggregates only; one person's pathway is too small a
	// cell to show.
	var ind housing.IndicatorsResponse
	f.must(t, http.StatusOK, "monitoring", http.MethodGet, "/v1/indicators", "", &ind)
	if len(ind.Cells) == 0 {
		t.Fatal("no indicators")
	}
	for _, c := range ind.Cells {
		if !c.Suppressed || c.People != nil || c.Value != nil {
			t.Fatalf("a cell of one person shown: %+v", c)
		}
	}

	got := types(f.published(t)[amina])
	wantTypes := []string{
		"HousingStepStarted", "HousingStepStarted", "HousingStepEnded", "RentSupportGranted", "HousingOfferProposed",
		"LeaseSigned", "HousingStepStarted", "HousingStepEnded", "HousingStepEnded", "HousingExited",
	}
	if !slices.Equal(got, wantTypes) {
		t.Fatalf("events\n%v\nwant\n%v", got, wantTypes)
	}
	for _, e := range f.published(t)[amina] {
		if ended, ok := e.Payload.(*housingv1.HousingExited); ok {
			if ended.Destination != housingv1.Destination_DESTINATION_OWN_LEASE || ended.LastKind != housingv1.StepKind_STEP_KIND_OWN_LEASE {
				t.Fatalf("exit %v", ended)
			}
		}
	}
}

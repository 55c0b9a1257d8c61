package housing_test

import (
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/services/housing"
)

// TestBadInputIsRejectedAndNothingStored sends malformed, invalid and
// unauthorised requests to every writing endpoint: each gets its 4xx
// naming the field at fault, and nothing is stored or published.
func TestBadInputIsRejectedAndNothingStored(t *testing.T) {
	f := start(t)
	shelter := f.accommodation(t, "aurora", "Casa", "emergency_shelter", "RM", "Via Uno 1", 2)
	stellaFlat := f.accommodation(t, "stella", "Casa Stella", "semi_autonomy_flat", "FI", "Via Due 2", 2)
	// A grant, an offer, a profile and a proposal to refuse changes to.
	ctx := auth.With(t.Context(), users["aurora"])
	svc := f.app.Service
	grant, err := svc.GrantRentSupport(ctx, housing.RentSupportInput{Person: "ps-1", MonthlyAmountCents: 20000, Months: 6, Start: "2026-01-01"})
	if err != nil {
		t.Fatal(err)
	}
	offer, err := svc.CreateOffer(ctx, housing.OfferInput{Source: "landlord", MonthlyRentCents: 40000, Territory: "RM", Area: "Roma", Places: 1, AvailableFrom: "2026-05-01"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PutProfile(ctx, "ps-1", housing.ProfileInput{MonthlyIncomeCents: 150000, HouseholdSize: 1, WorkTerritory: "RM", WorkArea: "Roma"}); err != nil {
		t.Fatal(err)
	}
	prop, err := svc.Propose(ctx, offer.ID, "ps-1")
	if err != nil {
		t.Fatal(err)
	}
	pay, end := "/v1/rent-supports/"+grant.ID+"/payments", "/v1/rent-supports/"+grant.ID+"/end"
	outcome, lease := "/v1/proposals/"+prop.ID+"/outcome", "/v1/proposals/"+prop.ID+"/lease"
	step := func(fields string) string {
		return `{"person":"ps-1","kind":"emergency_shelter","accommodation_id":"` + shelter + `","start":"2026-02-01"` + fields + `}`
	}
	acc := func(fields string) string {
		return `{"name":"Casa","kind":"emergency_shelter","territory":"RM","address":"Via Tre 3","capacity":2` + fields + `}`
	}
	cases := []struct {
		name, user, method, path, body string
		status                         int
		field                          string
	}{
		{"malformed JSON", "aurora", "POST", "/v1/steps", `{"person":`, 400, "body"},
		{"empty body", "aurora", "POST", "/v1/steps", ``, 400, "body"},
		{"two objects", "aurora", "POST", "/v1/steps", step("") + step(""), 400, "body"},
		{"unknown field", "aurora", "POST", "/v1/steps", step(`,"name":"Amina"`), 400, "name"},
		{"wrong type", "aurora", "POST", "/v1/accommodations", `{"name":"Casa","kind":"emergency_shelter","territory":"RM","address":"x","capacity":"two"}`, 400, "capacity"},
		{"no person", "aurora", "POST", "/v1/steps", `{"kind":"emergency_shelter","accommodation_id":"` + shelter + `","start":"2026-02-01"}`, 400, "person"},
		{"long person", "aurora", "POST", "/v1/steps", `{"person":"` + strings.Repeat("p", 65) + `","kind":"emergency_shelter","accommodation_id":"` + shelter + `","start":"2026-02-01"}`, 400, "person"},
		{"unknown kind", "aurora", "POST", "/v1/steps", `{"person":"ps-1","kind":"hotel","start":"2026-02-01"}`, 400, "kind"},
		{"kind not the accommodation's", "aurora", "POST", "/v1/steps", `{"person":"ps-1","kind":"protected_shelter","accommodation_id":"` + shelter + `","start":"2026-02-01"}`, 400, "kind"},
		{"shelter without accommodation", "aurora", "POST", "/v1/steps", `{"person":"ps-1","kind":"emergency_shelter","start":"2026-02-01"}`, 400, "accommodation_id"},
		{"own lease in an accommodation", "aurora", "POST", "/v1/steps", `{"person":"ps-1","kind":"own_lease","accommodation_id":"` + shelter + `","start":"2026-02-01"}`, 400, "accommodation_id"},
		{"bad date", "aurora", "POST", "/v1/steps", `{"person":"ps-1","kind":"emergency_shelter","accommodation_id":"` + shelter + `","start":"01/02/2026"}`, 400, "start"},
		{"future start", "aurora", "POST", "/v1/steps", `{"person":"ps-1","kind":"emergency_shelter","accommodation_id":"` + shelter + `","start":"2999-01-01"}`, 400, "start"},
		{"long id", "aurora", "POST", "/v1/steps", step(`,"id":"` + strings.Repeat("i", 65) + `"`), 400, "id"},
		{"unknown accommodation", "aurora", "POST", "/v1/steps", `{"person":"ps-1","kind":"emergency_shelter","accommodation_id":"nope","start":"2026-02-01"}`, 404, "accommodation_id"},
		{"another organisation's accommodation", "aurora", "POST", "/v1/steps", `{"person":"ps-1","kind":"semi_autonomy_flat","accommodation_id":"` + stellaFlat + `","start":"2026-02-01"}`, 403, "accommodation_id"},
		{"no token", "", "POST", "/v1/steps", step(""), 401, "authorization"},
		{"a teacher", "teacher", "POST", "/v1/steps", step(""), 403, ""},
		{"a case worker placing", "aurora-cw", "POST", "/v1/steps", step(""), 403, ""},
		{"move of an unknown step", "aurora", "POST", "/v1/steps/nope/move", `{"kind":"emergency_shelter","accommodation_id":"` + shelter + `","start":"2026-02-01"}`, 404, ""},
		{"move naming its own id", "aurora", "POST", "/v1/steps/nope/move", `{"id":"x","kind":"emergency_shelter","start":"2026-02-01"}`, 400, "id"},
		{"end of an unknown step", "aurora", "POST", "/v1/steps/nope/end", `{"end":"2026-03-01","reason":"other","destination":"unknown"}`, 404, ""},
		{"accommodation without name", "aurora", "POST", "/v1/accommodations", `{"kind":"emergency_shelter","territory":"RM","address":"x","capacity":2}`, 400, "name"},
		{"accommodation of kind own lease", "aurora", "POST", "/v1/accommodations", `{"name":"Casa","kind":"own_lease","territory":"RM","address":"x","capacity":2}`, 400, "kind"},
		{"territory not a province", "aurora", "POST", "/v1/accommodations", `{"name":"Casa","kind":"emergency_shelter","territory":"Roma","address":"x","capacity":2}`, 400, "territory"},
		{"no address", "aurora", "POST", "/v1/accommodations", `{"name":"Casa","kind":"emergency_shelter","territory":"RM","capacity":2}`, 400, "address"},
		{"no places", "aurora", "POST", "/v1/accommodations", `{"name":"Casa","kind":"emergency_shelter","territory":"RM","address":"x","capacity":0}`, 400, "capacity"},
		{"absurd places", "aurora", "POST", "/v1/accommodations", `{"name":"Casa","kind":"emergency_shelter","territory":"RM","address":"x","capacity":100000}`, 400, "capacity"},
		{"accommodation unknown field", "aurora", "POST", "/v1/accommodations", acc(`,"notes":"x"`), 400, "notes"},
		{"oversized body", "aurora", "POST", "/v1/accommodations", acc(`,"name2":"` + strings.Repeat("x", 2<<20) + `"`), 400, "body"},
		{"rent support negative", "aurora", "POST", "/v1/rent-supports", `{"person":"ps-1","monthly_amount_cents":-5,"months":6,"start":"2026-01-01"}`, 400, "monthly_amount_cents"},
		{"rent support forever", "aurora", "POST", "/v1/rent-supports", `{"person":"ps-1","monthly_amount_cents":20000,"months":600,"start":"2026-01-01"}`, 400, "months"},
		{"rent support no start", "aurora", "POST", "/v1/rent-supports", `{"person":"ps-1","monthly_amount_cents":20000,"months":6}`, 400, "start"},
		{"rent support no person", "aurora", "POST", "/v1/rent-supports", `{"monthly_amount_cents":20000,"months":6,"start":"2026-01-01"}`, 400, "person"},
		{"offer unknown source", "aurora", "POST", "/v1/offers", `{"source":"friend","monthly_rent_cents":50000,"territory":"RM","area":"Roma","places":1,"available_from":"2026-05-01"}`, 400, "source"},
		{"offer negative rent", "aurora", "POST", "/v1/offers", `{"source":"agency","monthly_rent_cents":-1,"territory":"RM","area":"Roma","places":1,"available_from":"2026-05-01"}`, 400, "monthly_rent_cents"},
		{"offer no area", "aurora", "POST", "/v1/offers", `{"source":"agency","monthly_rent_cents":50000,"territory":"RM","places":1,"available_from":"2026-05-01"}`, 400, "area"},
		{"offer no places", "aurora", "POST", "/v1/offers", `{"source":"agency","monthly_rent_cents":50000,"territory":"RM","area":"Roma","places":0,"available_from":"2026-05-01"}`, 400, "places"},
		{"offer bad date", "aurora", "POST", "/v1/offers", `{"source":"agency","monthly_rent_cents":50000,"territory":"RM","area":"Roma","places":1,"available_from":"maggio"}`, 400, "available_from"},
		{"profile household zero", "aurora", "PUT", "/v1/persons/ps-1/profile", `{"monthly_income_cents":100000,"household_size":0,"work_territory":"RM","work_area":"Roma"}`, 400, "household_size"},
		{"profile bad territory", "aurora", "PUT", "/v1/persons/ps-1/profile", `{"monthly_income_cents":100000,"household_size":1,"work_territory":"rm","work_area":"Roma"}`, 400, "work_territory"},
		{"profile negative income", "aurora", "PUT", "/v1/persons/ps-1/profile", `{"monthly_income_cents":-1,"household_size":1,"work_territory":"RM","work_area":"Roma"}`, 400, "monthly_income_cents"},
		{"proposal to a person without profile", "aurora", "POST", "/v1/offers/nope/proposals", `{"person":"ps-2"}`, 404, "person"},
		{"proposal of an unknown offer", "aurora", "POST", "/v1/offers/nope/proposals", `{"person":"ps-1"}`, 404, "offer_id"},
		{"proposal by another organisation", "stella", "POST", "/v1/offers/" + offer.ID + "/proposals", `{"person":"ps-1"}`, 403, "person"},
		{"payment month not a month", "aurora", "POST", pay, `{"month":"maggio","amount_cents":100}`, 400, "month"},
		{"payment outside the grant", "aurora", "POST", pay, `{"month":"2027-01","amount_cents":100}`, 400, "month"},
		{"payment above the grant", "aurora", "POST", pay, `{"month":"2026-02","amount_cents":20001}`, 400, "amount_cents"},
		{"payment by another organisation", "stella", "POST", pay, `{"month":"2026-02","amount_cents":100}`, 403, "rent_support_id"},
		{"end of support without reason", "aurora", "POST", end, `{"end":"2026-03-01"}`, 400, "reason"},
		{"end of support before its start", "aurora", "POST", end, `{"end":"2025-03-01","reason":"x"}`, 400, "end"},
		{"unknown outcome", "aurora", "POST", outcome, `{"outcome":"maybe"}`, 400, "outcome"},
		{"outcome by another organisation", "stella", "POST", outcome, `{"outcome":"accepted"}`, 403, "proposal_id"},
		{"lease with a bad date", "aurora", "POST", lease, `{"signed_on":"ieri","start":"2026-05-01","monthly_rent_cents":40000,"duration_months":48}`, 400, "signed_on"},
		{"lease of a pending proposal", "aurora", "POST", lease, `{"signed_on":"2026-04-01","start":"2026-05-01","monthly_rent_cents":40000,"duration_months":48}`, 409, "proposal_id"},
		{"board unknown kind", "aurora", "GET", "/v1/availability?kind=castle", ``, 400, "kind"},
		{"board bad territory", "aurora", "GET", "/v1/availability?territory=Roma", ``, 400, "territory"},
		{"matches without profile", "aurora", "GET", "/v1/persons/ps-2/offer-matches", ``, 404, "pseudonym"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, raw := f.call(t, tc.user, tc.method, tc.path, tc.body)
			e := errorOf(t, raw)
			if status != tc.status || e.Error.Field != tc.field {
				t.Fatalf("got %d %+v, want %d naming %q", status, e.Error, tc.status, tc.field)
			}
			if e.Error.Message == "" {
				t.Fatal("error without a message")
			}
		})
	}
	stored := map[string]int64{"accommodations": 2, "rent_supports": 1, "offers": 1, "profiles": 1, "proposals": 1}
	for _, coll := range []string{
		"places", "persons_housed", "steps", "step_ends", "rent_payments", "rent_support_ends",
		"offer_takings", "proposal_outcomes", "leases",
	} {
		stored[coll] = 0
	}
	for coll, want := range stored {
		n, err := f.app.DB.Collection(coll).CountDocuments(t.Context(), bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Errorf("%d documents in %s after bad input, want %d", n, coll, want)
		}
	}
	// Only the grant's and the proposal's events, stored before the bad
	// input, are published.
	for person, es := range f.published(t) {
		if got := strings.Join(types(es), " "); person != "ps-1" || got != "RentSupportGranted HousingOfferProposed" {
			t.Fatalf("events of %s after bad input: %s", person, got)
		}
	}
}

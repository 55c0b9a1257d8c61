package housing

import (
	"testing"

	"github.com/percorsi/percorsi/services/housing/domain"
)

// Every reason an offer can fit for, in Italian and in English, money and
// people as each language writes them.
func TestExplain(t *testing.T) {
	t.Parallel()
	seen := map[domain.ReasonCode]bool{}
	for _, tc := range []struct {
		why    domain.Reason
		it, en string
	}{
		{domain.Reason{Code: domain.ReasonRentWithinBudget, RentCents: 55000, BudgetCents: 65500},
			"affitto 550,00 € al mese su un budget di 655,00 €", "rent €550.00 a month on a budget of €655.00"},
		{domain.Reason{Code: domain.ReasonRentWithinBudget, RentCents: 123450, BudgetCents: 1234567805},
			"affitto 1.234,50 € al mese su un budget di 12.345.678,05 €", "rent €1,234.50 a month on a budget of €12,345,678.05"},
		{domain.Reason{Code: domain.ReasonRentWithinBudget, RentCents: 0, BudgetCents: 99999},
			"affitto 0,00 € al mese su un budget di 999,99 €", "rent €0.00 a month on a budget of €999.99"},
		{domain.Reason{Code: domain.ReasonRoomForHousehold, Places: 1, Household: 1},
			"ospita 1 persona, il nucleo familiare è di 1 persona", "houses 1 person, the household is 1 person"},
		{domain.Reason{Code: domain.ReasonRoomForHousehold, Places: 3, Household: 2},
			"ospita 3 persone, il nucleo familiare è di 2 persone", "houses 3 people, the household is 2 people"},
		{domain.Reason{Code: domain.ReasonInWorkArea, Area: "Roma - Pigneto"},
			"nella zona di lavoro (Roma - Pigneto)", "in the area of work (Roma - Pigneto)"},
		{domain.Reason{Code: domain.ReasonInWorkProvince, Territory: "RM", Area: "Roma - Tiburtino"},
			"nella provincia di lavoro (RM), zona Roma - Tiburtino", "in the province of work (RM), area Roma - Tiburtino"},
	} {
		seen[tc.why.Code] = true
		if got := explain(tc.why, "it"); got != tc.it {
			t.Errorf("%s in it: %q, want %q", tc.why.Code, got, tc.it)
		}
		if got := explain(tc.why, "en"); got != tc.en {
			t.Errorf("%s in en: %q, want %q", tc.why.Code, got, tc.en)
		}
	}
	for code := range reasons["it"] {
		if !seen[code] {
			t.Errorf("%s: no case here", code)
		}
	}
	// A language unknown is Italian; a code unknown says itself.
	if got := explain(domain.Reason{Code: domain.ReasonInWorkArea, Area: "Latina"}, "de"); got != "nella zona di lavoro (Latina)" {
		t.Errorf("in an unknown language: %q", got)
	}
	if got := explain(domain.Reason{Code: "new_rule"}, "en"); got != "new_rule" {
		t.Errorf("an unknown code: %q", got)
	}
}

// Every code has its words in both languages, and so have people.
func TestReasonsInBothLanguages(t *testing.T) {
	t.Parallel()
	for _, l := range []string{"it", "en"} {
		other := map[string]string{"it": "en", "en": "it"}[l]
		for code := range reasons[l] {
			if reasons[other][code] == "" {
				t.Errorf("%s: no words for %s", other, code)
			}
		}
		if p := persons[l]; p[0] == "" || p[1] == "" {
			t.Errorf("%s: people %q", l, p)
		}
	}
}

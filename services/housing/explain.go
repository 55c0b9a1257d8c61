package housing

import (
	"fmt"

	"github.com/percorsi/percorsi/pkg/euro"
	"github.com/percorsi/percorsi/pkg/httpkit"
	"github.com/percorsi/percorsi/services/housing/domain"
)

// reasons put domain.Reason in words. The arguments, by index: the rent,
// the budget (both as money), the places and the household (both as
// people), the province, the area.
var reasons = map[string]map[domain.ReasonCode]string{
	"it": {
		domain.ReasonRentWithinBudget: "affitto %[1]s al mese su un budget di %[2]s",
		domain.ReasonRoomForHousehold: "ospita %[3]s, il nucleo familiare è di %[4]s",
		domain.ReasonInWorkArea:       "nella zona di lavoro (%[6]s)",
		domain.ReasonInWorkProvince:   "nella provincia di lavoro (%[5]s), zona %[6]s",
	},
	"en": {
		domain.ReasonRentWithinBudget: "rent %[1]s a month on a budget of %[2]s",
		domain.ReasonRoomForHousehold: "houses %[3]s, the household is %[4]s",
		domain.ReasonInWorkArea:       "in the area of work (%[6]s)",
		domain.ReasonInWorkProvince:   "in the province of work (%[5]s), area %[6]s",
	},
}

// persons are one person and many, by language.
var persons = map[string][2]string{
	"it": {"1 persona", "%d persone"},
	"en": {"1 person", "%d people"},
}

// explain says a reason in plain Italian or English; a code without
// words says itself.
func explain(r domain.Reason, l string) string {
	l = httpkit.Lang(l)
	format, ok := reasons[l][r.Code]
	if !ok {
		return string(r.Code)
	}
	return fmt.Sprintf(format, euro.Format(l, r.RentCents), euro.Format(l, r.BudgetCents), people(l, r.Places), people(l, r.Household), r.Territory, r.Area)
}

// explainAll says a match's reasons one by one.
func explainAll(rs []domain.Reason, l string) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = explain(r, l)
	}
	return out
}

func people(l string, n int) string {
	if n == 1 {
		return persons[l][0]
	}
	return fmt.Sprintf(persons[l][1], n)
}

package pathway

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strings"

	"github.com/percorsi/percorsi/services/pathway/domain"
)

// CaseloadItem is one person of a caseload: what a case worker needs to
// pick whom to see first, never personal data.
type CaseloadItem struct {
	Person     domain.Person // without sealed fields, plan or consents
	OpenAlerts int
	MostUrgent domain.AlertKind // "" without open alerts
	Permit     *domain.Permit   // the current one, or nil
}

// Caseload lists the open pathways of the caller's organisation: people
// with open alerts first, the most urgent first; then by the end of their
// current permit, soonest first, people without an end date last; then by
// display name. Errors: Unauthorized, Forbidden (not a case worker).
func (s *Service) Caseload(ctx context.Context) ([]CaseloadItem, error) {
	caller, err := caseWorker(ctx)
	if err != nil {
		return nil, err
	}
	people, err := s.persons.InCharge(ctx, caller.Organisation)
	if err != nil {
		return nil, err
	}
	out := make([]CaseloadItem, 0, len(people))
	for _, p := range people {
		if p.Closed != nil || p.Organisation != caller.Organisation {
			continue
		}
		it := CaseloadItem{Person: *p, Permit: p.Current()}
		it.OpenAlerts, it.MostUrgent = domain.MostUrgent(p.Alerts)
		if it.Person.Stage == "" {
			// Not checked since intake: nothing achieved yet.
			it.Person.Stage = domain.StageTakenInCharge
		}
		if it.Person.LastActivity.IsZero() {
			it.Person.LastActivity = p.Since
		}
		out = append(out, it)
	}
	slices.SortFunc(out, compareCaseload)
	return out, nil
}

func compareCaseload(a, b CaseloadItem) int {
	if (a.OpenAlerts > 0) != (b.OpenAlerts > 0) {
		if a.OpenAlerts > 0 {
			return -1
		}
		return 1
	}
	if a.OpenAlerts > 0 {
		if c := cmp.Compare(a.MostUrgent.Urgency(), b.MostUrgent.Urgency()); c != 0 {
			return c
		}
	}
	if c := cmp.Compare(expiry(a.Permit), expiry(b.Permit)); c != 0 {
		return c
	}
	if c := strings.Compare(a.Person.DisplayName, b.Person.DisplayName); c != 0 {
		return c
	}
	return strings.Compare(a.Person.Pseudonym, b.Person.Pseudonym)
}

// expiry orders permits by their end: without a permit or an end date, as
// if it ended at the end of time.
func expiry(x *domain.Permit) int64 {
	if x == nil || x.ValidUntil.IsZero() {
		return math.MaxInt64
	}
	return x.ValidUntil.Unix()
}

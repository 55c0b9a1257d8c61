package pathway

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/services/pathway/domain"
)

// UpdatePlan replaces the goals of the individual plan with a new revision;
// the previous one goes to the history. Errors: Invalid, Forbidden, NotFound.
func (s *Service) UpdatePlan(ctx context.Context, pseudonym string, goals []domain.Goal) (*domain.Person, error) {
	for i, g := range goals {
		switch {
		case !slices.Contains(domain.Areas, g.Domain):
			return nil, invalid(fmt.Sprintf("goals[%d].domain", i), "must be one of italian, digital, training, work, housing, legal")
		case g.Title == "":
			return nil, invalid(fmt.Sprintf("goals[%d].title", i), "is required")
		case g.Status == "":
			goals[i].Status = "open"
		case !slices.Contains(domain.GoalStatuses, g.Status):
			return nil, invalid(fmt.Sprintf("goals[%d].status", i), "must be open, achieved or dropped")
		}
		if g.ID == "" {
			goals[i].ID = fmt.Sprintf("g%d", i+1)
		}
	}
	return s.update(ctx, pseudonym, "plan", "plan revision", func(p *domain.Person, caller auth.Principal, now time.Time) ([]domain.Event, error) {
		if p.Plan.Revision > 0 {
			p.Plan.History = append(p.Plan.History, domain.PlanRevision{Revision: p.Plan.Revision, Goals: p.Plan.Goals, UpdatedAt: p.Plan.UpdatedAt, UpdatedBy: p.Plan.UpdatedBy})
		}
		p.Plan.Revision++
		p.Plan.Goals, p.Plan.UpdatedAt, p.Plan.UpdatedBy = goals, now, caller.Subject
		return []domain.Event{{Kind: domain.FactPlanUpdated, At: now, Person: p}}, nil
	})
}

// Close ends the pathway. Errors: Invalid, Forbidden, NotFound, Conflict.
func (s *Service) Close(ctx context.Context, pseudonym string, reason domain.ClosingReason, on time.Time, note string) (*domain.Person, error) {
	if !slices.Contains(domain.ClosingReasons, reason) {
		return nil, invalid("reason", "must be autonomy_reached, assisted_voluntary_return, dropped_out or transferred")
	}
	return s.update(ctx, pseudonym, "close", string(reason), func(p *domain.Person, caller auth.Principal, now time.Time) ([]domain.Event, error) {
		if p.Closed != nil {
			return nil, errcode.New(errcode.Conflict, "pseudonym", "the pathway is closed already")
		}
		if on.IsZero() {
			on = now
		}
		p.Closed = &domain.Closing{Reason: reason, On: on, Note: note, By: caller.Subject}
		return []domain.Event{{Kind: domain.FactPathwayClosed, At: now, Person: p}}, nil
	})
}

package pathway

import (
	"context"
	"slices"
	"time"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/services/pathway/domain"
)

// Alerts returns a person's alerts, open first. Errors: Forbidden, NotFound.
func (s *Service) Alerts(ctx context.Context, pseudonym string) ([]domain.Alert, error) {
	p, err := s.Person(ctx, pseudonym)
	if err != nil {
		return nil, err
	}
	out := slices.Clone(p.Alerts)
	slices.SortStableFunc(out, func(a, b domain.Alert) int {
		if a.Open() != b.Open() {
			if a.Open() {
				return -1
			}
			return 1
		}
		return a.RaisedAt.Compare(b.RaisedAt)
	})
	return out, nil
}

// AlertAction acknowledges or resolves an alert. Errors: Invalid,
// Forbidden, NotFound, Conflict (already resolved).
func (s *Service) AlertAction(ctx context.Context, pseudonym, alertID, action, note string) (*domain.Person, error) {
	if action != "acknowledge" && action != "resolve" {
		return nil, invalid("action", "must be acknowledge or resolve")
	}
	return s.update(ctx, pseudonym, "alert_"+action, alertID, func(p *domain.Person, caller auth.Principal, now time.Time) ([]domain.Event, error) {
		i := slices.IndexFunc(p.Alerts, func(a domain.Alert) bool { return a.ID == alertID })
		if i < 0 {
			return nil, errcode.New(errcode.NotFound, "alert_id", "no such alert")
		}
		a := &p.Alerts[i]
		if !a.Open() {
			return nil, errcode.New(errcode.Conflict, "alert_id", "the alert is resolved already")
		}
		if note != "" {
			a.Note = note
		}
		if action == "acknowledge" {
			a.AcknowledgedAt, a.AcknowledgedBy = now, caller.Subject
			return nil, nil
		}
		a.ResolvedAt, a.ResolvedBy = now, caller.Subject
		return []domain.Event{{Kind: domain.FactAlertResolved, At: now, Person: p, Alert: a, How: "resolved"}}, nil
	})
}

package pathway

import (
	"context"
	"slices"
	"time"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/services/pathway/domain"
)

// RecordPermit records a residence permit issued, renewed or converted.
// Errors: Invalid, Forbidden, NotFound.
func (s *Service) RecordPermit(ctx context.Context, pseudonym string, x domain.Permit) (*domain.Person, error) {
	switch {
	case !slices.Contains(domain.PermitKinds, x.Kind):
		return nil, invalid("kind", "is not a known permit kind")
	case x.ConvertedFrom != "" && !slices.Contains(domain.PermitKinds, x.ConvertedFrom):
		return nil, invalid("converted_from", "is not a known permit kind")
	case x.ValidFrom.IsZero():
		return nil, invalid("valid_from", "is required")
	case !x.ValidUntil.IsZero() && !x.ValidUntil.After(x.ValidFrom):
		return nil, invalid("valid_until", "must be after valid_from")
	}
	p, err := s.update(ctx, pseudonym, "permit", string(x.Kind), func(p *domain.Person, _ auth.Principal, now time.Time) ([]domain.Event, error) {
		x.RecordedAt = now
		p.Permits = append(p.Permits, x)
		return []domain.Event{{Kind: domain.FactPermitRecorded, At: now, Person: p, Permit: &x}}, nil
	})
	if err != nil {
		return nil, err
	}
	_, err = s.check(ctx, pseudonym)
	return p, err
}

// LegalView is a person's legal status and what the pathway's facts say
// about converting their permit.
type LegalView struct {
	Permits     []domain.Permit
	Current     *domain.Permit
	DaysLeft    int  // until the current permit expires
	Convertible bool // the facts support a conversion (work or study)
	Grounds     domain.Reason
	CheckFrom   time.Time // when the grounds start being checked
}

// Legal returns the legal status. Errors: Forbidden, NotFound.
func (s *Service) Legal(ctx context.Context, pseudonym string) (*LegalView, error) {
	p, err := s.Person(ctx, pseudonym)
	if err != nil {
		return nil, err
	}
	entries, err := s.timeline.List(ctx, pseudonym)
	if err != nil {
		return nil, err
	}
	now := s.now()
	v := &LegalView{Permits: p.Permits, Current: p.Current()}
	v.Convertible, v.Grounds = s.rules.Grounds(entries, now)
	if c := v.Current; c != nil && !c.ValidUntil.IsZero() {
		v.DaysLeft = int(c.ValidUntil.Sub(now).Hours() / 24)
		v.CheckFrom = c.ValidUntil.Add(-s.rules.PermitWarning)
	}
	return v, nil
}

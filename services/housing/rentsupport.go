package housing

import (
	"context"
	"time"

	"github.com/percorsi/percorsi/pkg/endpointkit"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/events"
	"github.com/percorsi/percorsi/services/housing/domain"
)

// RentSupportInput is a grant of rent support.
type RentSupportInput struct {
	Person             string
	MonthlyAmountCents int64
	Months             int
	Start              string
}

// GrantRentSupport grants rent support to a person. Errors: Invalid naming
// the field.
func (s *Service) GrantRentSupport(ctx context.Context, in RentSupportInput) (*domain.RentSupport, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	start, err := endpointkit.Date("start", in.Start, nil)
	if err != nil {
		return nil, err
	}
	r, err := domain.NewRentSupport(events.NewID(), in.Person, p.Organisation, in.MonthlyAmountCents, in.Months, start, p.Subject, s.now())
	if err != nil {
		return nil, err
	}
	msgs, err := s.events.RentSupportGranted(ctx, r)
	if err != nil {
		return nil, err
	}
	if err := s.RentSupports.Grant(ctx, r, msgs); err != nil {
		return nil, err
	}
	return r, nil
}

// PayRentSupport records the payment of a month ("YYYY-MM") of a grant.
// Errors: Invalid naming the field, NotFound, Forbidden, Conflict.
func (s *Service) PayRentSupport(ctx context.Context, id, month string, amount int64) (*domain.RentSupport, error) {
	r, err := s.ownRentSupport(ctx, id)
	if err != nil {
		return nil, err
	}
	m, err := time.Parse("2006-01", month)
	if err != nil {
		return nil, errcode.New(errcode.Invalid, "month", "must be a month as YYYY-MM")
	}
	if err := r.Pay(m, amount, s.now()); err != nil {
		return nil, err
	}
	if err := s.RentSupports.Pay(ctx, id, r.Payments[len(r.Payments)-1]); err != nil {
		return nil, err
	}
	return r, nil
}

// EndRentSupport ends a grant before its term.
// Errors: Invalid naming the field, NotFound, Forbidden, Conflict.
func (s *Service) EndRentSupport(ctx context.Context, id, end, reason string) (*domain.RentSupport, error) {
	r, err := s.ownRentSupport(ctx, id)
	if err != nil {
		return nil, err
	}
	at, err := endpointkit.Date("end", end, nil)
	if err != nil {
		return nil, err
	}
	if err := r.Stop(at, reason); err != nil {
		return nil, err
	}
	if err := s.RentSupports.Stop(ctx, id, r.Ended, r.EndReason); err != nil {
		return nil, err
	}
	return r, nil
}

func (s *Service) ownRentSupport(ctx context.Context, id string) (*domain.RentSupport, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	r, err := s.RentSupports.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.Organisation != p.Organisation {
		return nil, errcode.New(errcode.Forbidden, "rent_support_id", "the rent support was granted by another organisation")
	}
	return r, nil
}

package jobs

import (
	"context"
	"time"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/services/jobs/domain"
	"github.com/percorsi/percorsi/services/jobs/link"
)

// issue gives pl a new link for purpose and returns its token.
func (s *Service) issue(pl *domain.Placement, purpose domain.LinkPurpose) (string, error) {
	id, expires := s.newID(), s.now().Add(s.cfg.LinkTTL)
	if err := pl.IssueLink(id, purpose, expires); err != nil {
		return "", err
	}
	return s.links.Sign(link.Claims{Placement: pl.ID, ID: id, Purpose: string(purpose), Expires: expires})
}

// IssueLink gives the employer a new link for purpose (the start, or
// later the end); links issued before stop working.
// Errors: Invalid, NotFound, Forbidden, Conflict.
func (s *Service) IssueLink(ctx context.Context, placementID string, purpose domain.LinkPurpose) (string, error) {
	p, err := caller(ctx)
	if err != nil {
		return "", err
	}
	var token string
	_, err = s.placements.Update(ctx, placementID, func(pl *domain.Placement) ([]outbox.Message, error) {
		if pl.Organisation != p.Organisation {
			return nil, errcode.New(errcode.Forbidden, "placement_id", "not a placement of your organisation")
		}
		tok, err := s.issue(pl, purpose)
		token = tok
		return nil, err
	})
	return token, err
}

// LinkView opens an employer link without spending it.
// Errors: Forbidden (not valid, expired, for another placement), Conflict
// (already used).
func (s *Service) LinkView(ctx context.Context, placementID, token string) (*EmployerView, error) {
	c, err := s.links.Open(token, s.now())
	if err != nil {
		return nil, err
	}
	if c.Placement != placementID {
		return nil, errcode.New(errcode.Forbidden, "token", "this link is not valid for this placement")
	}
	pl, err := s.placements.Get(ctx, placementID)
	if err != nil {
		return nil, err
	}
	// Checked on a copy: viewing spends nothing.
	probe := *pl
	if err := probe.UseLink(c.ID, domain.LinkPurpose(c.Purpose), s.now()); err != nil {
		return nil, err
	}
	return s.employerView(ctx, pl, domain.LinkPurpose(c.Purpose))
}

// Confirmation is what an employer states through a link.
type Confirmation struct {
	On          time.Time        // the actual start (or end) day
	WeeklyHours int              // start only
	Reason      domain.EndReason // end only
}

// ConfirmByLink spends an employer link to confirm the start or the end of
// its placement, in one write with the event. A link that is tampered,
// expired, already used, replaced, or for another placement changes
// nothing. Errors: Forbidden, Conflict, Invalid, NotFound.
func (s *Service) ConfirmByLink(ctx context.Context, placementID, token string, in Confirmation) (*domain.Placement, error) {
	now := s.now()
	c, err := s.links.Open(token, now)
	if err != nil {
		return nil, err
	}
	if c.Placement != placementID {
		return nil, errcode.New(errcode.Forbidden, "token", "this link is not valid for this placement")
	}
	purpose := domain.LinkPurpose(c.Purpose)
	return s.placements.Update(ctx, placementID, sealed(ctx, func(pl *domain.Placement) ([]domain.Fact, error) {
		if err := pl.UseLink(c.ID, purpose, now); err != nil {
			return nil, err
		}
		if purpose == domain.ConfirmStart {
			if err := pl.ConfirmStart(in.On, in.WeeklyHours, now); err != nil {
				return nil, err
			}
			return []domain.Fact{domain.PlacementConfirmed{Placement: pl, Purpose: purpose, At: now}}, nil
		}
		if err := pl.End(in.On, in.Reason, true, now); err != nil {
			return nil, err
		}
		return []domain.Fact{domain.PlacementConfirmed{Placement: pl, Purpose: purpose, At: now}, domain.PlacementEnded{Placement: pl, At: now}}, nil
	}))
}

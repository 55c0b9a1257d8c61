package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/versioned"
	"github.com/percorsi/percorsi/services/jobs/domain"
)

// Started is a placement begun and the link its employer confirms with.
type Started struct {
	Placement *domain.Placement
	Token     string // the employer's start link; shown once, never stored
}

// StartPlacement starts the placement of an accepted proposal and issues
// the employer's start-confirmation link. The person must be allowed to
// work on the start day. Errors: Invalid, NotFound, Forbidden, Conflict.
func (s *Service) StartPlacement(ctx context.Context, proposalID string, t domain.PlacementTerms) (*Started, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	prop, err := s.proposals.Get(ctx, proposalID)
	if err != nil {
		return nil, err
	}
	switch {
	case prop.Organisation != p.Organisation:
		return nil, errcode.New(errcode.Forbidden, "proposal_id", "not a proposal of your organisation")
	case prop.Status != domain.Accepted:
		return nil, errcode.New(errcode.Conflict, "proposal_id", "the proposal was not accepted at interview")
	}
	v, err := s.vacancies.Get(ctx, prop.VacancyID)
	if err != nil {
		return nil, err
	}
	if err := t.Check(v.Contract, s.cfg.MinAllowanceCents); err != nil {
		return nil, err
	}
	pr, err := s.profiles.Get(ctx, prop.Person)
	if err != nil {
		return nil, err
	}
	if !pr.Permit.ValidOn(t.StartsOn) {
		return nil, errcode.New(errcode.Invalid, "starts_on", "the person has no valid work authorisation on this day")
	}
	pl := domain.NewPlacement(s.newID(), prop, v, t, s.cfg.ConfirmAfter)
	token, err := s.issue(pl, domain.ConfirmStart)
	if err != nil {
		return nil, err
	}
	events, err := Seal(ctx, domain.PlacementStarted{Placement: pl})
	if err != nil {
		return nil, err
	}
	err = s.placements.Create(ctx, pl.ID, pl, events)
	if errcode.Of(err) == errcode.Conflict {
		return nil, errcode.New(errcode.Conflict, "proposal_id", "the proposal already has a placement")
	}
	if err != nil {
		return nil, err
	}
	return &Started{Placement: pl, Token: token}, nil
}

// EmployerView is what an employer sees of a placement: the candidate's
// display name and the terms, nothing else of the person.
type EmployerView struct {
	Placement   *domain.Placement
	DisplayName string
	Vacancy     *domain.Vacancy
	Purpose     domain.LinkPurpose // what the link confirms; "" for an account
}

// Placement returns a placement: in full to a counsellor of its
// organisation, as an EmployerView to the employer party to it.
// Errors: NotFound, Forbidden.
func (s *Service) Placement(ctx context.Context, id string) (*EmployerView, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	pl, err := s.placements.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	switch {
	case p.Role == auth.Employer && pl.EmployerID == p.Organisation:
	case p.Role == auth.Counsellor && pl.Organisation == p.Organisation:
	default:
		return nil, errcode.New(errcode.Forbidden, "placement_id", "you are not party to this placement")
	}
	return s.employerView(ctx, pl, "")
}

// Placements lists the placements of the caller's organisation (a
// counsellor) or those the caller is party to (an employer), each with
// the candidate's display name.
func (s *Service) Placements(ctx context.Context) ([]*EmployerView, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	party := "organisation"
	if p.Role == auth.Employer {
		party = "employer"
	}
	pls, err := s.placements.Of(ctx, party, p.Organisation)
	if err != nil {
		return nil, err
	}
	out := make([]*EmployerView, len(pls))
	for i, pl := range pls {
		if out[i], err = s.employerView(ctx, pl, ""); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Service) employerView(ctx context.Context, pl *domain.Placement, purpose domain.LinkPurpose) (*EmployerView, error) {
	pr, err := s.profiles.Get(ctx, pl.Person)
	if err != nil {
		return nil, err
	}
	v, err := s.vacancies.Get(ctx, pl.VacancyID)
	if err != nil {
		return nil, err
	}
	return &EmployerView{Placement: pl, DisplayName: pr.DisplayName, Vacancy: v, Purpose: purpose}, nil
}

// EndPlacement records, as the counsellor, that a placement ended.
// Errors: Invalid, NotFound, Forbidden, Conflict.
func (s *Service) EndPlacement(ctx context.Context, id string, on time.Time, reason domain.EndReason) (*domain.Placement, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	return s.placements.Update(ctx, id, sealed(ctx, func(pl *domain.Placement) ([]domain.Fact, error) {
		if pl.Organisation != p.Organisation {
			return nil, errcode.New(errcode.Forbidden, "placement_id", "not a placement of your organisation")
		}
		if err := pl.End(on, reason, false, now); err != nil {
			return nil, err
		}
		return []domain.Fact{domain.PlacementEnded{Placement: pl, At: now}}, nil
	}))
}

// RecordFollowUp records the follow-up of a month after the start.
// Errors: Invalid, NotFound, Forbidden, Conflict.
func (s *Service) RecordFollowUp(ctx context.Context, id string, f domain.FollowUp) (*domain.Placement, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	f.RecordedBy = p.Subject
	return s.placements.Update(ctx, id, sealed(ctx, func(pl *domain.Placement) ([]domain.Fact, error) {
		if pl.Organisation != p.Organisation {
			return nil, errcode.New(errcode.Forbidden, "placement_id", "not a placement of your organisation")
		}
		if err := pl.RecordFollowUp(f, now); err != nil {
			return nil, err
		}
		return []domain.Fact{domain.FollowUpRecorded{Placement: pl, FollowUp: pl.FollowUps[len(pl.FollowUps)-1]}}, nil
	}))
}

// ReportUnconfirmed publishes PlacementUnconfirmed, once, for each
// placement whose start the employer has not confirmed by its due date.
// It returns how many it reported.
func (s *Service) ReportUnconfirmed(ctx context.Context) (int, error) {
	const batch = 100
	now := s.now()
	n := 0
	for {
		due, err := s.placements.Unconfirmed(ctx, now, batch)
		if err != nil {
			return n, err
		}
		reported, err := s.reportUnconfirmed(ctx, due, now)
		n += reported
		if err != nil || len(due) < batch {
			return n, err
		}
	}
}

func (s *Service) reportUnconfirmed(ctx context.Context, due []*domain.Placement, now time.Time) (int, error) {
	n := 0
	for _, d := range due {
		raised := false
		_, err := s.placements.Update(ctx, d.ID, sealed(ctx, func(pl *domain.Placement) ([]domain.Fact, error) {
			raised = false
			if pl.Status != domain.AwaitingConfirmation || pl.UnconfirmedRaised {
				return nil, versioned.ErrNoChange // confirmed or reported meanwhile
			}
			pl.UnconfirmedRaised, raised = true, true
			days := int(now.Sub(pl.StartsOn).Hours() / 24)
			return []domain.Fact{domain.PlacementUnconfirmed{Placement: pl, DaysWaited: days, At: now}}, nil
		}))
		if err != nil {
			return n, fmt.Errorf("report unconfirmed placement %s: %w", d.ID, err)
		}
		if raised {
			n++
		}
	}
	return n, nil
}

package jobs

import (
	"context"
	"time"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/services/jobs/domain"
	"github.com/percorsi/percorsi/services/jobs/match"
)

// Propose puts a candidate forward for an open vacancy. The pair must
// break no hard constraint. Errors: Invalid (naming the constraint),
// NotFound, Forbidden, Conflict (already proposed).
func (s *Service) Propose(ctx context.Context, person, vacancyID string) (*domain.Proposal, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	pr, err := s.Profile(ctx, person)
	if err != nil {
		return nil, err
	}
	v, err := s.vacancies.Get(ctx, vacancyID)
	if errcode.Of(err) == errcode.NotFound {
		return nil, errcode.New(errcode.Invalid, "vacancy_id", "no such vacancy")
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	if !v.OpenOn(now) {
		return nil, errcode.New(errcode.Invalid, "vacancy_id", "the vacancy is closed")
	}
	r := match.Prepare(v, s.cfg.Match).Score(pr)
	if r.Excluded != 0 {
		return nil, errcode.New(errcode.Invalid, "person", "the person cannot take this vacancy: %v", r.Excluded.Names())
	}
	prop := &domain.Proposal{
		ID: s.newID(), Person: person, Organisation: p.Organisation, VacancyID: v.ID, EmployerID: v.EmployerID,
		Score: r.Total, Status: domain.Proposed, ProposedBy: p.Subject, ProposedAt: now,
	}
	events, err := Seal(ctx, domain.MatchProposed{Proposal: prop})
	if err != nil {
		return nil, err
	}
	err = s.proposals.Create(ctx, prop.ID, prop, events)
	if errcode.Of(err) == errcode.Conflict {
		return nil, errcode.New(errcode.Conflict, "person", "already proposed for this vacancy")
	}
	return prop, err
}

// Proposals returns the proposals the caller's organisation made for a
// vacancy, so that a counsellor finds them again for the interview and the
// placement. Errors: NotFound.
func (s *Service) Proposals(ctx context.Context, vacancyID string) ([]*domain.Proposal, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.vacancies.Get(ctx, vacancyID); err != nil {
		return nil, err
	}
	return s.proposals.OfVacancy(ctx, vacancyID, p.Organisation)
}

// RecordInterview records a proposal's interview and outcome.
// Errors: Invalid, NotFound, Forbidden, Conflict.
func (s *Service) RecordInterview(ctx context.Context, proposalID string, heldOn time.Time, outcome domain.ProposalStatus) (*domain.Proposal, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	return s.proposals.Update(ctx, proposalID, sealed(ctx, func(prop *domain.Proposal) ([]domain.Fact, error) {
		if prop.Organisation != p.Organisation {
			return nil, errcode.New(errcode.Forbidden, "proposal_id", "not a proposal of your organisation")
		}
		if err := prop.RecordInterview(heldOn, outcome, now); err != nil {
			return nil, err
		}
		return []domain.Fact{domain.InterviewHeld{Proposal: prop}}, nil
	}))
}

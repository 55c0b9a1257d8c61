package pathway

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/services/pathway/domain"
)

// RequestTransfer asks another organisation to take the person over.
// Errors: Invalid, Forbidden, NotFound, Conflict (one pending already, or closed).
func (s *Service) RequestTransfer(ctx context.Context, pseudonym, toOrg, toTerritory, reason string) (*domain.Person, error) {
	switch {
	case toOrg == "":
		return nil, invalid("to_organisation", "is required")
	case reason == "":
		return nil, invalid("reason", "is required")
	}
	return s.update(ctx, pseudonym, "transfer_request", reason, func(p *domain.Person, caller auth.Principal, now time.Time) ([]domain.Event, error) {
		switch {
		case p.Closed != nil:
			return nil, errcode.New(errcode.Conflict, "pseudonym", "the pathway is closed")
		case p.Pending() != nil:
			return nil, errcode.New(errcode.Conflict, "pseudonym", "a transfer is already pending")
		case toOrg == p.Organisation:
			return nil, invalid("to_organisation", "is the organisation already in charge")
		}
		t := domain.Transfer{
			ID: fmt.Sprintf("t%d", len(p.Transfers)+1), FromOrganisation: p.Organisation, ToOrganisation: toOrg, ToTerritory: toTerritory,
			Reason: reason, RequestedAt: now, RequestedBy: caller.Subject, Status: "requested",
		}
		p.Transfers = append(p.Transfers, t)
		return []domain.Event{{Kind: domain.FactTransferRequested, At: now, Person: p, Transfer: &t}}, nil
	})
}

// IncomingTransfer is a transfer waiting for the caller's organisation.
type IncomingTransfer struct {
	Pseudonym string
	Programme domain.Programme
	Transfer  domain.Transfer
}

// IncomingTransfers lists the transfers addressed to the caller's
// organisation: what it needs to answer, never personal data.
// Errors: Forbidden.
func (s *Service) IncomingTransfers(ctx context.Context) ([]IncomingTransfer, error) {
	caller, err := caseWorker(ctx)
	if err != nil {
		return nil, err
	}
	people, err := s.persons.TransfersTo(ctx, caller.Organisation)
	if err != nil {
		return nil, err
	}
	var out []IncomingTransfer
	for _, p := range people {
		if t := p.Pending(); t != nil && t.ToOrganisation == caller.Organisation {
			out = append(out, IncomingTransfer{Pseudonym: p.Pseudonym, Programme: p.Programme, Transfer: *t})
		}
	}
	return out, nil
}

// DecideTransfer is the receiving organisation's answer. On acceptance it
// becomes the organisation in charge: access moves with the person, the
// history stays. Errors: Invalid, Forbidden, NotFound, Conflict.
func (s *Service) DecideTransfer(ctx context.Context, pseudonym, transferID string, accept bool, caseWorkerID string) (*domain.Person, error) {
	caller, err := caseWorker(ctx)
	if err != nil {
		return nil, err
	}
	action := "transfer_refuse"
	if accept {
		action = "transfer_accept"
	}
	now := s.now()
	out, err := s.persons.Update(ctx, pseudonym, change(ctx, func(p *domain.Person) ([]domain.Event, error) {
		t := p.Pending()
		switch {
		case t == nil || t.ID != transferID:
			return nil, errcode.New(errcode.NotFound, "transfer_id", "no such pending transfer")
		case t.ToOrganisation != caller.Organisation:
			return nil, errcode.New(errcode.Forbidden, "transfer_id", "the transfer is addressed to another organisation")
		}
		t.DecidedAt, t.DecidedBy = now, caller.Subject
		if !accept {
			t.Status = "refused"
			return nil, nil
		}
		t.Status = "accepted"
		p.Organisation, p.CaseWorker = t.ToOrganisation, caseWorkerID
		if caseWorkerID == "" {
			p.CaseWorker = caller.Subject
		}
		if t.ToTerritory != "" {
			p.Territory = t.ToTerritory
		}
		return []domain.Event{{Kind: domain.FactPersonTransferred, At: now, Person: p, Transfer: t}}, nil
	}))
	outcome := "granted"
	switch code := errcode.Of(err); {
	case code == errcode.Forbidden:
		outcome = "denied"
	case err != nil:
		outcome = "failed: " + string(code)
	}
	if lerr := s.log(ctx, caller, pseudonym, action, nil, transferID, outcome); lerr != nil {
		return nil, errors.Join(err, lerr)
	}
	return out, err
}

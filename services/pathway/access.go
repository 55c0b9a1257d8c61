package pathway

import (
	"context"
	"errors"
	"time"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/events"
	"github.com/percorsi/percorsi/services/pathway/domain"
)

// caseWorker returns the caller, who must be a case worker.
func caseWorker(ctx context.Context) (auth.Principal, error) {
	caller, ok := auth.From(ctx)
	if !ok {
		return auth.Principal{}, errcode.New(errcode.Unauthorized, "authorization", "a signed-in user is required")
	}
	if caller.Role != auth.CaseWorker {
		return auth.Principal{}, errcode.New(errcode.Forbidden, "", "only a case worker may do this")
	}
	return caller, nil
}

// access loads a person for the caller, who must be a case worker of the
// organisation in charge; a refusal is written to the audit log.
func (s *Service) access(ctx context.Context, pseudonym, action string, fields []string, reason string) (*domain.Person, auth.Principal, error) {
	if pseudonym == "" {
		return nil, auth.Principal{}, invalid("pseudonym", "is required")
	}
	caller, ok := auth.From(ctx)
	if !ok {
		return nil, caller, errcode.New(errcode.Unauthorized, "authorization", "a signed-in user is required")
	}
	p, err := s.persons.Get(ctx, pseudonym)
	if err != nil {
		return nil, caller, err
	}
	if caller.Role != auth.CaseWorker || caller.Organisation != p.Organisation {
		return nil, caller, s.refuse(ctx, caller, pseudonym, action, fields, reason, "denied",
			errcode.New(errcode.Forbidden, "pseudonym", "this person is followed by another organisation"))
	}
	return p, caller, nil
}

// refuse audits a refused access and returns why it was refused.
func (s *Service) refuse(ctx context.Context, caller auth.Principal, pseudonym, action string, fields []string, reason, outcome string, why error) error {
	if err := s.log(ctx, caller, pseudonym, action, fields, reason, outcome); err != nil {
		return errors.Join(why, err)
	}
	return why
}

func (s *Service) log(ctx context.Context, caller auth.Principal, pseudonym, action string, fields []string, reason, outcome string) error {
	return s.audit.Add(ctx, domain.AuditEntry{
		ID: events.NewID(), At: s.now(), Subject: caller.Subject, Role: string(caller.Role), Organisation: caller.Organisation,
		Person: pseudonym, Action: action, Fields: fields, Reason: reason, Outcome: outcome,
	})
}

// update applies fn to a person the caller may change, and audits it.
func (s *Service) update(ctx context.Context, pseudonym, action, reason string, fn func(p *domain.Person, caller auth.Principal, now time.Time) ([]domain.Event, error)) (*domain.Person, error) {
	_, caller, err := s.access(ctx, pseudonym, action, nil, reason)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out, err := s.persons.Update(ctx, pseudonym, change(ctx, func(p *domain.Person) ([]domain.Event, error) {
		if caller.Organisation != p.Organisation {
			return nil, errcode.New(errcode.Forbidden, "pseudonym", "this person is followed by another organisation")
		}
		return fn(p, caller, now)
	}))
	if err != nil {
		return nil, err
	}
	return out, s.log(ctx, caller, pseudonym, action, nil, reason, "granted")
}

// Person returns the record of a person (no personal data) to the case
// worker in charge. Errors: Forbidden, NotFound.
func (s *Service) Person(ctx context.Context, pseudonym string) (*domain.Person, error) {
	p, _, err := s.access(ctx, pseudonym, "read_record", nil, "case management")
	return p, err
}

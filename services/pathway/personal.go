package pathway

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/fieldcrypt"
	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/services/pathway/domain"
)

// Personal reads some of a person's personal data, for a stated reason;
// the read is audited before anything is returned, and so is a refusal.
// Errors: Invalid (reason, fields), Forbidden, NotFound (also once erased).
func (s *Service) Personal(ctx context.Context, pseudonym string, fields []string, reason string) (map[string]json.RawMessage, error) {
	if reason == "" {
		return nil, invalid("reason", "is required: say why the personal data is needed")
	}
	if len(fields) == 0 {
		fields = domain.PersonalFields
	}
	for _, f := range fields {
		if !slices.Contains(domain.PersonalFields, f) {
			return nil, invalid("fields", "must name personal fields: legal_name, birth_date, nationality, languages, phone, email, documents")
		}
	}
	p, caller, err := s.access(ctx, pseudonym, "read_personal", fields, reason)
	if err != nil {
		return nil, err
	}
	if !p.ErasedAt.IsZero() {
		return nil, s.refuse(ctx, caller, p.Pseudonym, "read_personal", fields, reason, "erased",
			errcode.New(errcode.NotFound, "pseudonym", "the personal data of this person was erased"))
	}
	wrapped, err := s.keys.Get(ctx, p.Pseudonym)
	if err != nil {
		return nil, err
	}
	key, err := s.ring.Unwrap(fieldcrypt.Wrapped{KeyID: wrapped.KeyID, Key: wrapped.Key}, p.Pseudonym)
	if err != nil {
		return nil, fmt.Errorf("unwrap the key of a person: %w", err)
	}
	out := map[string]json.RawMessage{}
	for _, f := range fields {
		c, ok := p.Sealed[f]
		if !ok {
			continue
		}
		plain, err := key.Open(f, c)
		if err != nil {
			return nil, fmt.Errorf("open field %s: %w", f, err)
		}
		out[f] = plain
	}
	if err := s.log(ctx, caller, p.Pseudonym, "read_personal", fields, reason, "granted"); err != nil {
		return nil, err
	}
	return out, nil
}

// Erase crypto-shreds a person's personal data: their key is deleted, so
// every copy of their sealed fields (backups included) is unreadable at
// once; the ciphertext is removed too. The pathway facts, which name only
// the pseudonym, stay for the aggregates. Errors: Invalid, Forbidden, NotFound.
func (s *Service) Erase(ctx context.Context, pseudonym, reason string) error {
	if reason == "" {
		return invalid("reason", "is required")
	}
	p, caller, err := s.access(ctx, pseudonym, "erase", domain.PersonalFields, reason)
	if err != nil {
		return err
	}
	if err := s.keys.Delete(ctx, p.Pseudonym); err != nil {
		return err
	}
	now := s.now()
	_, err = s.persons.Update(ctx, p.Pseudonym, func(p *domain.Person) ([]outbox.Message, error) {
		p.Sealed, p.ErasedAt = nil, now
		p.DisplayName = "—"
		return nil, nil
	})
	if err != nil {
		return err
	}
	return s.log(ctx, caller, p.Pseudonym, "erase", domain.PersonalFields, reason, "granted")
}

// RotateKeys wraps every person's data key again under the current master
// key, so that older master keys can be retired; the sealed fields do not
// change. It reports progress and returns how many keys it rewrapped.
func (s *Service) RotateKeys(ctx context.Context, progress func(done, total int64)) (int, error) {
	keys, err := s.keys.All(ctx)
	if err != nil {
		return 0, err
	}
	var done, n int
	for pseudonym, w := range keys {
		if w.KeyID != s.ring.Current() {
			moved, err := s.ring.Rewrap(fieldcrypt.Wrapped{KeyID: w.KeyID, Key: w.Key}, pseudonym)
			if err != nil {
				return n, fmt.Errorf("rotate key %d of %d: %w", done+1, len(keys), err)
			}
			if err := s.keys.Put(ctx, pseudonym, domain.WrappedKey{KeyID: moved.KeyID, Key: moved.Key}); err != nil {
				return n, err
			}
			n++
		}
		done++
		if progress != nil {
			progress(int64(done), int64(len(keys)))
		}
	}
	return n, nil
}

// AuditLog returns who accessed a person's data. Errors: Forbidden, NotFound.
func (s *Service) AuditLog(ctx context.Context, pseudonym string) ([]domain.AuditEntry, error) {
	if _, _, err := s.access(ctx, pseudonym, "read_audit", nil, "audit review"); err != nil {
		return nil, err
	}
	return s.audit.List(ctx, pseudonym)
}

// SetConsent records consent for a scope given, or withdraws it.
// Errors: Invalid, Forbidden, NotFound.
func (s *Service) SetConsent(ctx context.Context, pseudonym, scope string, given bool) (*domain.Person, error) {
	if scope == "" {
		return nil, invalid("scope", "is required")
	}
	return s.update(ctx, pseudonym, "consent", scope, func(p *domain.Person, _ auth.Principal, now time.Time) ([]domain.Event, error) {
		for i := range p.Consents {
			c := &p.Consents[i]
			if c.Scope == scope && c.WithdrawnAt.IsZero() {
				if !given {
					c.WithdrawnAt = now
				}
				return nil, nil
			}
		}
		if !given {
			return nil, errcode.New(errcode.Conflict, "scope", "no consent given for this scope")
		}
		p.Consents = append(p.Consents, domain.Consent{Scope: scope, GivenAt: now})
		return nil, nil
	})
}

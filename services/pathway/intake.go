package pathway

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/percorsi/percorsi/pkg/fieldcrypt"
	"github.com/percorsi/percorsi/services/pathway/domain"
)

// IntakeRequest takes a person in charge.
type IntakeRequest struct {
	DisplayName string
	Programme   domain.Programme
	Referral    domain.Referral
	Territory   string
	CaseWorker  string // defaults to the caller
	Since       time.Time
	Personal    domain.PersonalData
	Consents    []domain.Consent
}

// Intake takes a person in charge for the caller's organisation: a random
// pseudonym, the personal data sealed field by field with the person's own
// key, an audit entry, and PersonTakenInCharge (without personal data).
// Errors: Invalid naming the field, Forbidden.
func (s *Service) Intake(ctx context.Context, r IntakeRequest) (*domain.Person, error) {
	caller, err := caseWorker(ctx)
	if err != nil {
		return nil, err
	}
	switch {
	case r.DisplayName == "":
		return nil, invalid("display_name", "is required")
	case !slices.Contains(domain.Programmes, r.Programme):
		return nil, invalid("programme", "must be one of art18, art13, other")
	case !slices.Contains(domain.Referrals, r.Referral):
		return nil, invalid("referral", "must be one of hotline, contact_unit, police, territorial_commission, social_services, self")
	case r.Personal.LegalName == "":
		return nil, invalid("personal.legal_name", "is required")
	}
	if r.Personal.BirthDate != "" {
		if _, err := time.Parse(time.DateOnly, r.Personal.BirthDate); err != nil {
			return nil, invalid("personal.birth_date", "must be a date YYYY-MM-DD")
		}
	}
	for i, c := range r.Consents {
		if c.Scope == "" {
			return nil, invalid(fmt.Sprintf("consents[%d].scope", i), "is required")
		}
	}
	now := s.now()
	if r.Since.IsZero() {
		r.Since = now
	}
	if r.CaseWorker == "" {
		r.CaseWorker = caller.Subject
	}
	p := &domain.Person{
		Pseudonym: newPseudonym(), Organisation: caller.Organisation, Territory: r.Territory, DisplayName: r.DisplayName,
		CaseWorker: r.CaseWorker, Since: r.Since, RecordedAt: now, Programme: r.Programme, Referral: r.Referral, Consents: r.Consents,
	}
	for i := range p.Consents {
		if p.Consents[i].GivenAt.IsZero() {
			p.Consents[i].GivenAt = now
		}
	}
	key, wrapped, err := s.ring.NewDataKey(p.Pseudonym)
	if err != nil {
		return nil, err
	}
	if p.Sealed, err = sealPersonal(key, r.Personal); err != nil {
		return nil, err
	}
	// The key first: a person stored without their key could never be read.
	if err := s.keys.Put(ctx, p.Pseudonym, domain.WrappedKey{KeyID: wrapped.KeyID, Key: wrapped.Key}); err != nil {
		return nil, err
	}
	msgs, err := sealEvents(ctx, []domain.Event{{Kind: domain.FactTakenInCharge, At: now, Person: p}})
	if err != nil {
		return nil, err
	}
	if err := s.persons.Create(ctx, p.Pseudonym, p, msgs); err != nil {
		return nil, err
	}
	if err := s.log(ctx, caller, p.Pseudonym, "intake", fieldsOf(p.Sealed), "taken in charge", "granted"); err != nil {
		return nil, err
	}
	return p, nil
}

func newPseudonym() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return "ps-" + hex.EncodeToString(b)
}

func sealPersonal(key *fieldcrypt.DataKey, d domain.PersonalData) (map[string][]byte, error) {
	values := map[string]any{
		"legal_name": d.LegalName, "birth_date": d.BirthDate, "nationality": d.Nationality, "languages": d.Languages,
		"phone": d.Phone, "email": d.Email, "documents": d.Documents,
	}
	out := map[string][]byte{}
	for _, f := range domain.PersonalFields {
		v := values[f]
		if b, err := json.Marshal(v); err != nil || string(b) == `""` || string(b) == "null" {
			continue // empty fields are not stored at all
		} else if out[f], err = key.Seal(f, b); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func fieldsOf(sealed map[string][]byte) []string {
	var out []string
	for _, f := range domain.PersonalFields {
		if _, ok := sealed[f]; ok {
			out = append(out, f)
		}
	}
	return out
}

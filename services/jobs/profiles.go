package jobs

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/versioned"
	"github.com/percorsi/percorsi/services/jobs/domain"
)

// ProfileInput is what a counsellor records of a candidate.
type ProfileInput struct {
	DisplayName   string
	Skills        []domain.Skill // declared or assessed; certified comes from training
	Experience    []domain.Experience
	Prefs         domain.Preferences
	Home          domain.Point
	AvailableFrom time.Time
}

func (in ProfileInput) check() error {
	switch {
	case in.DisplayName == "" || len(in.DisplayName) > 80:
		return errcode.New(errcode.Invalid, "display_name", "is required, at most 80 characters")
	case len(in.Skills) > 100:
		return errcode.New(errcode.Invalid, "skills", "at most 100")
	case in.Home.Lat < -90 || in.Home.Lat > 90:
		return errcode.New(errcode.Invalid, "home.lat", "must be between -90 and 90")
	case in.Home.Lon < -180 || in.Home.Lon > 180:
		return errcode.New(errcode.Invalid, "home.lon", "must be between -180 and 180")
	case in.Prefs.MaxWeeklyHours < 0 || in.Prefs.MaxWeeklyHours > 48:
		return errcode.New(errcode.Invalid, "preferences.max_weekly_hours", "must be 0 (no limit) to 48")
	case in.Prefs.MaxCommuteKm < 0 || in.Prefs.MaxCommuteKm > 300:
		return errcode.New(errcode.Invalid, "preferences.max_commute_km", "must be 0 (default) to 300")
	}
	for i, s := range in.Skills {
		switch {
		case s.Code == "":
			return errcode.New(errcode.Invalid, fmt.Sprintf("skills[%d].code", i), "is required")
		case s.Evidence != domain.Declared && s.Evidence != domain.Assessed:
			return errcode.New(errcode.Invalid, fmt.Sprintf("skills[%d].evidence", i), "must be declared or assessed; certified skills come from training")
		}
	}
	for i, e := range in.Experience {
		if e.Occupation == "" || e.Months < 1 || e.Months > 600 {
			return errcode.New(errcode.Invalid, fmt.Sprintf("experience[%d]", i), "needs an occupation and 1 to 600 months")
		}
	}
	for i, c := range in.Prefs.Contracts {
		if !c.Valid() {
			return errcode.New(errcode.Invalid, fmt.Sprintf("preferences.contracts[%d]", i), "must be internship, apprenticeship, fixed_term or permanent")
		}
	}
	for i, s := range in.Prefs.Shifts {
		if !s.Valid() {
			return errcode.New(errcode.Invalid, fmt.Sprintf("preferences.shifts[%d]", i), "must be morning, afternoon, evening or night")
		}
	}
	return nil
}

// PutProfile opens or updates the candidate profile of person for the
// counsellor's organisation; the facts other services published are kept.
// Errors: Invalid, Forbidden when another organisation has the person.
func (s *Service) PutProfile(ctx context.Context, person string, in ProfileInput) (*domain.Profile, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if person == "" || len(person) > 64 {
		return nil, errcode.New(errcode.Invalid, "person", "is required, at most 64 characters")
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	now := s.now()
	return s.profiles.Upsert(ctx, person, domain.NewProfile, sealed(ctx, func(pr *domain.Profile) ([]domain.Fact, error) {
		if pr.Organisation != "" && pr.Organisation != p.Organisation {
			return nil, errcode.New(errcode.Forbidden, "person", "the person is followed by another organisation")
		}
		pr.Organisation, pr.Active, pr.DisplayName = p.Organisation, true, in.DisplayName
		// Certified skills stay; the counsellor's list replaces the rest.
		pr.Skills = slices.DeleteFunc(pr.Skills, func(sk domain.Skill) bool { return sk.Evidence != domain.Certified })
		for _, sk := range in.Skills {
			pr.AddSkill(sk.Code, sk.Evidence)
		}
		pr.Experience, pr.Prefs, pr.Home, pr.AvailableFrom = in.Experience, in.Prefs, in.Home, in.AvailableFrom
		return []domain.Fact{domain.ProfileUpdated{
			Person: person, Organisation: p.Organisation, Source: "counsellor", At: now,
			Fields: []string{"skills", "experience", "preferences", "availability"},
		}}, nil
	}))
}

// Profile returns a candidate profile to a counsellor of its organisation.
// Errors: NotFound, Forbidden.
func (s *Service) Profile(ctx context.Context, person string) (*domain.Profile, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	pr, err := s.profiles.Get(ctx, person)
	if errcode.Of(err) == errcode.NotFound {
		return nil, &errcode.Error{Code: errcode.NotFound, Field: "person", Message: "no candidate profile", Err: err}
	}
	if err != nil {
		return nil, err
	}
	if !pr.Active || pr.Organisation != p.Organisation {
		return nil, errcode.New(errcode.Forbidden, "person", "not a candidate of your organisation")
	}
	return pr, nil
}

// ApplyFact keeps a fact another service published about a person. Each
// event is applied once (by id) and an older fact never overwrites a
// newer one.
func (s *Service) ApplyFact(ctx context.Context, f *ProfileFact) error {
	_, err := s.profiles.Upsert(ctx, f.Person, domain.NewProfile, sealed(ctx, func(pr *domain.Profile) ([]domain.Fact, error) {
		if pr.SeenEvent(f.EventID) {
			return nil, versioned.ErrNoChange
		}
		var fields []string
		switch {
		case f.Italian != domain.NoLevel && f.OccurredAt.After(pr.ItalianAt):
			pr.Italian, pr.ItalianAt = f.Italian, f.OccurredAt
			fields = append(fields, "italian_level")
		case f.Digital != nil && f.OccurredAt.After(pr.DigitalAt):
			pr.Digital, pr.DigitalAt = f.Digital, f.OccurredAt
			fields = append(fields, "digital_level")
		case f.Permit != nil && f.OccurredAt.After(pr.Permit.At):
			pr.Permit = *f.Permit
			fields = append(fields, "permit")
		}
		if q := f.Qualification; q != nil && !slices.Contains(pr.Qualifications, *q) {
			pr.Qualifications = append(pr.Qualifications, *q)
			fields = append(fields, "qualifications")
		}
		changed := false
		for _, code := range f.Skills {
			changed = pr.AddSkill(code, domain.Certified) || changed
		}
		if changed {
			fields = append(fields, "skills")
		}
		if len(fields) == 0 || !pr.Active {
			// Kept (with the event id) but not announced: no candidate yet,
			// or nothing new.
			return nil, nil
		}
		return []domain.Fact{domain.ProfileUpdated{Person: pr.Person, Organisation: pr.Organisation, Fields: fields, Source: f.Type, At: f.OccurredAt}}, nil
	}))
	return err
}

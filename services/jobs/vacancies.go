package jobs

import (
	"context"
	"fmt"
	"regexp"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/pkg/versioned"
	"github.com/percorsi/percorsi/services/jobs/domain"
)

// PutEmployer records an employer and its sites for the caller's
// organisation, which keeps the record from then on. Errors: Invalid,
// Forbidden (another organisation keeps it).
func (s *Service) PutEmployer(ctx context.Context, e *domain.Employer) error {
	p, err := caller(ctx)
	if err != nil {
		return err
	}
	e.Organisation = p.Organisation
	switch {
	case !employerID.MatchString(e.ID):
		return errcode.New(errcode.Invalid, "id", "is required: up to 64 letters, digits, '-' and '_'")
	case e.Name == "":
		return errcode.New(errcode.Invalid, "name", "is required")
	case len(e.Sites) == 0 || len(e.Sites) > 50:
		return errcode.New(errcode.Invalid, "sites", "one to 50 sites")
	}
	for i, st := range e.Sites {
		if st.ID == "" || st.Municipality == "" {
			return errcode.New(errcode.Invalid, fmt.Sprintf("sites[%d]", i), "needs an id and a municipality")
		}
		if l := st.Location; l.Lat < -90 || l.Lat > 90 || l.Lon < -180 || l.Lon > 180 {
			return errcode.New(errcode.Invalid, fmt.Sprintf("sites[%d].location", i), "must be a latitude and longitude")
		}
	}
	switch kept, err := s.employers.Get(ctx, e.ID); {
	case errcode.Of(err) == errcode.NotFound:
	case err != nil:
		return err
	case kept.Organisation != e.Organisation:
		return errcode.New(errcode.Forbidden, "id", "this employer is kept by another organisation")
	}
	return s.employers.Put(ctx, e)
}

// employerID is what an employer's id may be: it names the employer in
// URLs, links and events, so no control, invisible or markup character.
var employerID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)

// PublishVacancy records a vacancy of an employer's site and publishes
// it. Errors: Invalid (naming employer_id or site_id when unknown).
func (s *Service) PublishVacancy(ctx context.Context, v *domain.Vacancy) (*domain.Vacancy, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := v.Check(); err != nil {
		return nil, err
	}
	emp, err := s.employers.Get(ctx, v.EmployerID)
	if errcode.Of(err) == errcode.NotFound {
		return nil, errcode.New(errcode.Invalid, "employer_id", "no such employer")
	}
	if err != nil {
		return nil, err
	}
	site, ok := emp.Site(v.SiteID)
	if !ok {
		return nil, errcode.New(errcode.Invalid, "site_id", "not a site of the employer")
	}
	v.ID, v.Organisation, v.Location, v.Status = s.newID(), p.Organisation, site.Location, domain.Open
	events, err := Seal(ctx, domain.VacancyPublished{Vacancy: v, At: s.now()})
	if err != nil {
		return nil, err
	}
	if err := s.vacancies.Create(ctx, v.ID, v, events); err != nil {
		return nil, err
	}
	return v, nil
}

// Vacancy returns a vacancy: any to a counsellor, its own to an employer.
// Errors: NotFound, Forbidden.
func (s *Service) Vacancy(ctx context.Context, id string) (*domain.Vacancy, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	v, err := s.vacancies.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Role == auth.Employer && v.EmployerID != p.Organisation {
		return nil, errcode.New(errcode.Forbidden, "vacancy_id", "not one of your vacancies")
	}
	return v, nil
}

// CloseVacancy stops a vacancy taking candidates before its closing date
// (filled, or withdrawn by the employer); proposals and placements made
// stay. Errors: NotFound, Forbidden (another organisation published it).
func (s *Service) CloseVacancy(ctx context.Context, id string) (*domain.Vacancy, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	return s.vacancies.Update(ctx, id, func(v *domain.Vacancy) ([]outbox.Message, error) {
		switch {
		case v.Organisation != p.Organisation:
			return nil, errcode.New(errcode.Forbidden, "vacancy_id", "published by another organisation")
		case v.Status == domain.Closed:
			return nil, versioned.ErrNoChange
		}
		v.Status = domain.Closed
		return nil, nil
	})
}

// Vacancies lists the open vacancies for a counsellor, and its own for an
// employer.
func (s *Service) Vacancies(ctx context.Context) ([]*domain.Vacancy, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if p.Role == auth.Employer {
		return s.vacancies.ByEmployer(ctx, p.Organisation)
	}
	return s.vacancies.Open(ctx, s.now())
}

// Package jobs is the service of job-orientation counsellors and the
// employers they work with: candidate profiles fed by the facts other
// services publish, vacancies, ranked matches with their reasons, an
// optimal batch assignment, proposals, placements confirmed by employers
// through signed single-use links, and follow-ups.
package jobs

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/pkg/versioned"
	"github.com/percorsi/percorsi/services/jobs/domain"
	"github.com/percorsi/percorsi/services/jobs/link"
	"github.com/percorsi/percorsi/services/jobs/match"
	"github.com/percorsi/percorsi/services/jobs/store"
)

// Config holds the jobs policies that vary by Region or project.
type Config struct {
	// ConfirmAfter is how long after the start an unconfirmed placement
	// is reported (PlacementUnconfirmed).
	ConfirmAfter time.Duration
	// LinkTTL is how long an employer link stays valid.
	LinkTTL time.Duration
	// MinAllowanceCents is the regional minimum monthly allowance of a
	// tirocinio extracurricolare.
	MinAllowanceCents int
	Match             match.Config
	// Now is the clock; nil means time.Now. Tests move it.
	Now func() time.Time
}

// DefaultConfig is used unless configured otherwise.
var DefaultConfig = Config{
	ConfirmAfter:      7 * 24 * time.Hour,
	LinkTTL:           14 * 24 * time.Hour,
	MinAllowanceCents: 50000,
	Match:             match.DefaultConfig,
}

// Service holds the use cases, by area: profiles.go, vacancies.go,
// matching.go, proposals.go, placements.go and links.go.
type Service struct {
	profiles   *store.Profiles
	employers  *store.Employers
	vacancies  *store.Vacancies
	proposals  *store.Proposals
	placements *store.Placements
	links      *link.Signer
	cfg        Config
	now        func() time.Time
	newID      func() string
}

// NewService returns the use cases over the given stores.
func NewService(st store.Stores, links *link.Signer, cfg Config, newID func() string) *Service {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Service{
		profiles: st.Profiles, employers: st.Employers, vacancies: st.Vacancies, proposals: st.Proposals,
		placements: st.Placements, links: links, cfg: cfg, now: now, newID: newID,
	}
}

func caller(ctx context.Context) (auth.Principal, error) {
	p, ok := auth.From(ctx)
	if !ok {
		return p, errcode.New(errcode.Unauthorized, "authorization", "a signed-in user is required")
	}
	return p, nil
}

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

// CandidateMatch is one candidate for a vacancy, explained.
type CandidateMatch struct {
	Profile     *domain.Profile
	Explanation match.Explanation
}

// CandidateRanking is the best candidates of the counsellor's
// organisation for a vacancy.
type CandidateRanking struct {
	Vacancy    *domain.Vacancy
	Matches    []CandidateMatch
	Considered int
	Eligible   int
	ExcludedBy map[string]int
}

// RankCandidates ranks the candidates of the caller's organisation for a
// vacancy. Errors: NotFound, Invalid (limit).
func (s *Service) RankCandidates(ctx context.Context, vacancyID string, limit int) (*CandidateRanking, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if limit < 1 || limit > 200 {
		return nil, errcode.New(errcode.Invalid, "limit", "must be 1 to 200")
	}
	v, err := s.vacancies.Get(ctx, vacancyID)
	if err != nil {
		return nil, err
	}
	profiles, err := s.profiles.Candidates(ctx, p.Organisation)
	if err != nil {
		return nil, err
	}
	pv := match.Prepare(v, s.cfg.Match)
	rk := match.Rank(pv, profiles, limit)
	out := &CandidateRanking{Vacancy: v, Considered: rk.Considered, Eligible: rk.Eligible, ExcludedBy: rk.ExcludedBy}
	for _, r := range rk.Top {
		out.Matches = append(out.Matches, CandidateMatch{Profile: r.Profile, Explanation: pv.Explain(r.Profile)})
	}
	return out, nil
}

// VacancyMatch is one vacancy for a candidate, explained.
type VacancyMatch struct {
	Vacancy     *domain.Vacancy
	Explanation match.Explanation
}

// RankVacancies ranks the open vacancies for a candidate of the caller's
// organisation. Errors: NotFound, Forbidden, Invalid (limit).
func (s *Service) RankVacancies(ctx context.Context, person string, limit int) ([]VacancyMatch, error) {
	if limit < 1 || limit > 200 {
		return nil, errcode.New(errcode.Invalid, "limit", "must be 1 to 200")
	}
	pr, err := s.Profile(ctx, person)
	if err != nil {
		return nil, err
	}
	open, err := s.vacancies.Open(ctx, s.now())
	if err != nil {
		return nil, err
	}
	pvs := make([]*match.Vacancy, len(open))
	for i, v := range open {
		pvs[i] = match.Prepare(v, s.cfg.Match)
	}
	var out []VacancyMatch
	for _, r := range match.RankVacancies(pr, pvs, limit) {
		out = append(out, VacancyMatch{Vacancy: r.Vacancy.V, Explanation: r.Vacancy.Explain(pr)})
	}
	return out, nil
}

// BatchPair is one proposed pair of a batch, explained.
type BatchPair struct {
	Vacancy     *domain.Vacancy
	Profile     *domain.Profile
	Explanation match.Explanation
}

// Batch is a proposed assignment of candidates to vacancies.
type Batch struct {
	Pairs      []BatchPair
	Total      int
	Greedy     int
	Unfilled   map[string]int // vacancy id -> positions left open
	LeftOut    []LeftOut      // eligible somewhere but better left out for the total
	Ineligible []string       // eligible for none of the vacancies
}

// LeftOut is a candidate eligible in the batch but not assigned, with the
// best vacancy she missed.
type LeftOut struct {
	Profile  *domain.Profile
	Best     *domain.Vacancy
	Score    int
	Assigned []int // scores of the people who took its positions
}

// Assign proposes the assignment with the best total score of the
// caller's candidates to the given open vacancies (all open ones when
// none are given). Nothing is stored: the counsellor proposes from it.
// Errors: Invalid, NotFound.
func (s *Service) Assign(ctx context.Context, vacancyIDs []string) (*Batch, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if len(vacancyIDs) > 1000 {
		return nil, errcode.New(errcode.Invalid, "vacancy_ids", "at most 1000")
	}
	var vs []*domain.Vacancy
	if len(vacancyIDs) == 0 {
		if vs, err = s.vacancies.Open(ctx, s.now()); err != nil {
			return nil, err
		}
	}
	for i, id := range vacancyIDs {
		v, err := s.vacancies.Get(ctx, id)
		if errcode.Of(err) == errcode.NotFound || (err == nil && !v.OpenOn(s.now())) {
			return nil, errcode.New(errcode.Invalid, fmt.Sprintf("vacancy_ids[%d]", i), "no such open vacancy")
		}
		if err != nil {
			return nil, err
		}
		vs = append(vs, v)
	}
	profiles, err := s.profiles.Candidates(ctx, p.Organisation)
	if err != nil {
		return nil, err
	}
	pvs := make([]*match.Vacancy, len(vs))
	for i, v := range vs {
		pvs[i] = match.Prepare(v, s.cfg.Match)
	}
	a := match.Assign(pvs, profiles)
	b := &Batch{Total: a.Total, Greedy: a.Greedy, Unfilled: map[string]int{}}
	assigned := make([]bool, len(profiles))
	for _, pair := range a.Pairs {
		pv, pr := pvs[pair.Vacancy], profiles[pair.Candidate]
		assigned[pair.Candidate] = true
		b.Pairs = append(b.Pairs, BatchPair{Vacancy: pv.V, Profile: pr, Explanation: pv.Explain(pr)})
	}
	for i, n := range a.Unfilled {
		if n > 0 {
			b.Unfilled[vs[i].ID] = n
		}
	}
	for c, pr := range profiles {
		switch {
		case assigned[c]:
		case a.Eligible[c] > 0:
			lo := LeftOut{Profile: pr, Best: vs[a.Best[c]], Score: a.BestScore[c]}
			for _, pair := range a.Pairs {
				if pair.Vacancy == a.Best[c] {
					lo.Assigned = append(lo.Assigned, pair.Score)
				}
			}
			b.LeftOut = append(b.LeftOut, lo)
		default:
			b.Ineligible = append(b.Ineligible, pr.Person)
		}
	}
	return b, nil
}

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

// EmployerView is what an employer sees of a placement: the candidate's
// display name and the terms, nothing else of the person.
type EmployerView struct {
	Placement   *domain.Placement
	DisplayName string
	Vacancy     *domain.Vacancy
	Purpose     domain.LinkPurpose // what the link confirms; "" for an account
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

package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/percorsi/percorsi/pkg/mongostore"
	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/pkg/versioned"
	"github.com/percorsi/percorsi/services/jobs/domain"
)

type pointDoc struct {
	Lat float64 `bson:"lat"`
	Lon float64 `bson:"lon"`
}

// Profiles are the candidate profiles, by pseudonym.
type Profiles struct {
	*versioned.Collection[domain.Profile, profileFields]
}

type profileFields struct {
	Organisation   string             `bson:"organisation"`
	DisplayName    string             `bson:"display_name"`
	Active         bool               `bson:"active"`
	Skills         []skillDoc         `bson:"skills"`
	Experience     []experienceDoc    `bson:"experience"`
	Prefs          prefsDoc           `bson:"prefs"`
	Home           pointDoc           `bson:"home"`
	AvailableFrom  time.Time          `bson:"available_from"`
	Italian        int                `bson:"italian"`
	ItalianAt      time.Time          `bson:"italian_at"`
	Digital        map[string]int     `bson:"digital"`
	DigitalAt      time.Time          `bson:"digital_at"`
	Qualifications []qualificationDoc `bson:"qualifications"`
	Permit         permitDoc          `bson:"permit"`
	Applied        []string           `bson:"applied"`
}

type skillDoc struct {
	Code     string `bson:"code"`
	Evidence int    `bson:"evidence"`
}

type experienceDoc struct {
	Occupation string `bson:"occupation"`
	Months     int    `bson:"months"`
}

type prefsDoc struct {
	Sectors        []string `bson:"sectors"`
	Contracts      []string `bson:"contracts"`
	Shifts         []string `bson:"shifts"`
	MaxWeeklyHours int      `bson:"max_weekly_hours"`
	MaxCommuteKm   int      `bson:"max_commute_km"`
}

type qualificationDoc struct {
	Code   string `bson:"code"`
	Region string `bson:"region"`
	Title  string `bson:"title"`
	EQF    int    `bson:"eqf"`
}

type permitDoc struct {
	Known      bool      `bson:"known"`
	MayWork    bool      `bson:"may_work"`
	ValidUntil time.Time `bson:"valid_until"`
	At         time.Time `bson:"at"`
}

func newProfiles(db *mongo.Database, notify outbox.Notifier) *Profiles {
	return &Profiles{versioned.New(db.Collection(profilesColl), versioned.Config[domain.Profile, profileFields]{
		What: "profile", Fields: profileToFields, Value: profileFromDoc, Notify: notify,
	})}
}

// Candidates returns the active profiles of an organisation.
func (s *Profiles) Candidates(ctx context.Context, organisation string) ([]*domain.Profile, error) {
	return s.Find(ctx, bson.D{{Key: "organisation", Value: organisation}, {Key: "active", Value: true}})
}

func profileToFields(p *domain.Profile) profileFields {
	f := profileFields{
		Organisation: p.Organisation, DisplayName: p.DisplayName, Active: p.Active,
		Skills: []skillDoc{}, Experience: []experienceDoc{}, Qualifications: []qualificationDoc{},
		Prefs: prefsDoc{Sectors: p.Prefs.Sectors, MaxWeeklyHours: p.Prefs.MaxWeeklyHours, MaxCommuteKm: p.Prefs.MaxCommuteKm},
		Home:  pointDoc(p.Home), AvailableFrom: p.AvailableFrom, Italian: int(p.Italian), ItalianAt: p.ItalianAt,
		Digital: p.Digital, DigitalAt: p.DigitalAt, Applied: p.Applied,
		Permit: permitDoc{Known: p.Permit.Known, MayWork: p.Permit.MayWork, ValidUntil: p.Permit.ValidUntil, At: p.Permit.At},
	}
	for _, s := range p.Skills {
		f.Skills = append(f.Skills, skillDoc{Code: s.Code, Evidence: int(s.Evidence)})
	}
	for _, e := range p.Experience {
		f.Experience = append(f.Experience, experienceDoc(e))
	}
	for _, c := range p.Prefs.Contracts {
		f.Prefs.Contracts = append(f.Prefs.Contracts, string(c))
	}
	for _, s := range p.Prefs.Shifts {
		f.Prefs.Shifts = append(f.Prefs.Shifts, string(s))
	}
	for _, q := range p.Qualifications {
		f.Qualifications = append(f.Qualifications, qualificationDoc(q))
	}
	return f
}

func profileFromDoc(id string, version int64, f *profileFields) *domain.Profile {
	p := &domain.Profile{
		Person: id, Organisation: f.Organisation, DisplayName: f.DisplayName, Active: f.Active,
		Prefs: domain.Preferences{Sectors: f.Prefs.Sectors, MaxWeeklyHours: f.Prefs.MaxWeeklyHours, MaxCommuteKm: f.Prefs.MaxCommuteKm},
		Home:  domain.Point(f.Home), AvailableFrom: utc(f.AvailableFrom), Italian: domain.Level(f.Italian), ItalianAt: utc(f.ItalianAt),
		Digital: f.Digital, DigitalAt: utc(f.DigitalAt), Applied: f.Applied, Version: version,
		Permit: domain.Permit{Known: f.Permit.Known, MayWork: f.Permit.MayWork, ValidUntil: utc(f.Permit.ValidUntil), At: utc(f.Permit.At)},
	}
	for _, s := range f.Skills {
		p.Skills = append(p.Skills, domain.Skill{Code: s.Code, Evidence: domain.Evidence(s.Evidence)})
	}
	for _, e := range f.Experience {
		p.Experience = append(p.Experience, domain.Experience(e))
	}
	for _, c := range f.Prefs.Contracts {
		p.Prefs.Contracts = append(p.Prefs.Contracts, domain.ContractKind(c))
	}
	for _, s := range f.Prefs.Shifts {
		p.Prefs.Shifts = append(p.Prefs.Shifts, domain.Shift(s))
	}
	for _, q := range f.Qualifications {
		p.Qualifications = append(p.Qualifications, domain.Qualification(q))
	}
	return p
}

// Employers are the employers and their sites; they publish nothing, so
// a write replaces the whole record.
type Employers struct{ c *mongo.Collection }

type employerDoc struct {
	ID           string    `bson:"_id"`
	Name         string    `bson:"name"`
	Sites        []siteDoc `bson:"sites"`
	Organisation string    `bson:"organisation"`
}

type siteDoc struct {
	ID           string   `bson:"id"`
	Name         string   `bson:"name"`
	Municipality string   `bson:"municipality"`
	Location     pointDoc `bson:"location"`
}

// Get returns NotFound for an unknown id.
func (s *Employers) Get(ctx context.Context, id string) (*domain.Employer, error) {
	var d employerDoc
	if err := s.c.FindOne(ctx, byID(id)).Decode(&d); err != nil {
		return nil, mongostore.Translate(err)
	}
	e := &domain.Employer{ID: d.ID, Name: d.Name, Organisation: d.Organisation}
	for _, st := range d.Sites {
		e.Sites = append(e.Sites, domain.Site{ID: st.ID, Name: st.Name, Municipality: st.Municipality, Location: domain.Point(st.Location)})
	}
	return e, nil
}

// Put stores e in place of what was kept.
func (s *Employers) Put(ctx context.Context, e *domain.Employer) error {
	d := employerDoc{ID: e.ID, Name: e.Name, Sites: []siteDoc{}, Organisation: e.Organisation}
	for _, st := range e.Sites {
		d.Sites = append(d.Sites, siteDoc{ID: st.ID, Name: st.Name, Municipality: st.Municipality, Location: pointDoc(st.Location)})
	}
	if _, err := s.c.ReplaceOne(ctx, byID(e.ID), d, options.Replace().SetUpsert(true)); err != nil {
		return mongostore.Translate(err)
	}
	return nil
}

// Vacancies are the vacancies of employers' sites.
type Vacancies struct {
	*versioned.Collection[domain.Vacancy, vacancyFields]
}

type vacancyFields struct {
	EmployerID   string    `bson:"employer_id"`
	SiteID       string    `bson:"site_id"`
	Organisation string    `bson:"organisation"`
	Title        string    `bson:"title"`
	Occupation   string    `bson:"occupation"`
	Sector       string    `bson:"sector"`
	Required     []string  `bson:"required"`
	Desirable    []string  `bson:"desirable"`
	MinItalian   int       `bson:"min_italian"`
	Location     pointDoc  `bson:"location"`
	WeeklyHours  int       `bson:"weekly_hours"`
	Shift        string    `bson:"shift"`
	Contract     string    `bson:"contract"`
	Positions    int       `bson:"positions"`
	StartsOn     time.Time `bson:"starts_on"`
	ClosesOn     time.Time `bson:"closes_on"`
	Status       string    `bson:"status"`
}

func newVacancies(db *mongo.Database, notify outbox.Notifier) *Vacancies {
	return &Vacancies{versioned.New(db.Collection(vacanciesColl), versioned.Config[domain.Vacancy, vacancyFields]{
		What: "vacancy", Notify: notify,
		Fields: func(v *domain.Vacancy) vacancyFields {
			return vacancyFields{
				EmployerID: v.EmployerID, SiteID: v.SiteID, Organisation: v.Organisation, Title: v.Title,
				Occupation: v.Occupation, Sector: v.Sector, Required: nonNil(v.Required), Desirable: nonNil(v.Desirable),
				MinItalian: int(v.MinItalian), Location: pointDoc(v.Location), WeeklyHours: v.WeeklyHours,
				Shift: string(v.Shift), Contract: string(v.Contract), Positions: v.Positions,
				StartsOn: v.StartsOn, ClosesOn: v.ClosesOn, Status: string(v.Status),
			}
		},
		Value: func(id string, _ int64, f *vacancyFields) *domain.Vacancy {
			return &domain.Vacancy{
				ID: id, EmployerID: f.EmployerID, SiteID: f.SiteID, Organisation: f.Organisation, Title: f.Title,
				Occupation: f.Occupation, Sector: f.Sector, Required: f.Required, Desirable: f.Desirable,
				MinItalian: domain.Level(f.MinItalian), Location: domain.Point(f.Location), WeeklyHours: f.WeeklyHours,
				Shift: domain.Shift(f.Shift), Contract: domain.ContractKind(f.Contract), Positions: f.Positions,
				StartsOn: utc(f.StartsOn), ClosesOn: utc(f.ClosesOn), Status: domain.VacancyStatus(f.Status),
			}
		},
	})}
}

// Open returns the vacancies open at t (see Vacancy.OpenOn).
func (s *Vacancies) Open(ctx context.Context, t time.Time) ([]*domain.Vacancy, error) {
	// Open through the closing day: closes_on is that day's midnight.
	return s.Find(ctx, bson.D{{Key: "status", Value: string(domain.Open)}, {Key: "closes_on", Value: bson.D{{Key: "$gt", Value: t.AddDate(0, 0, -1)}}}})
}

// ByEmployer returns an employer's vacancies.
func (s *Vacancies) ByEmployer(ctx context.Context, employerID string) ([]*domain.Vacancy, error) {
	return s.Find(ctx, bson.D{{Key: "employer_id", Value: employerID}})
}

// Proposals are the candidates put forward for vacancies; a person is
// proposed once for a vacancy (a unique index).
type Proposals struct {
	*versioned.Collection[domain.Proposal, proposalFields]
}

type proposalFields struct {
	Person       string    `bson:"person"`
	Organisation string    `bson:"organisation"`
	VacancyID    string    `bson:"vacancy_id"`
	EmployerID   string    `bson:"employer_id"`
	Score        int       `bson:"score"`
	Status       string    `bson:"status"`
	ProposedBy   string    `bson:"proposed_by"`
	ProposedAt   time.Time `bson:"proposed_at"`
	InterviewOn  time.Time `bson:"interview_on"`
}

func newProposals(db *mongo.Database, notify outbox.Notifier) *Proposals {
	return &Proposals{versioned.New(db.Collection(proposalsColl), versioned.Config[domain.Proposal, proposalFields]{
		What: "proposal", Notify: notify,
		Fields: func(p *domain.Proposal) proposalFields {
			return proposalFields{
				Person: p.Person, Organisation: p.Organisation, VacancyID: p.VacancyID, EmployerID: p.EmployerID,
				Score: p.Score, Status: string(p.Status), ProposedBy: p.ProposedBy, ProposedAt: p.ProposedAt, InterviewOn: p.InterviewOn,
			}
		},
		Value: func(id string, version int64, f *proposalFields) *domain.Proposal {
			return &domain.Proposal{
				ID: id, Person: f.Person, Organisation: f.Organisation, VacancyID: f.VacancyID, EmployerID: f.EmployerID,
				Score: f.Score, Status: domain.ProposalStatus(f.Status), ProposedBy: f.ProposedBy,
				ProposedAt: utc(f.ProposedAt), InterviewOn: utc(f.InterviewOn), Version: version,
			}
		},
	})}
}

// OfVacancy returns an organisation's proposals for a vacancy. It uses the
// (vacancy_id, person) index: a vacancy has few proposals.
func (s *Proposals) OfVacancy(ctx context.Context, vacancyID, organisation string) ([]*domain.Proposal, error) {
	return s.Find(ctx, bson.D{{Key: "vacancy_id", Value: vacancyID}, {Key: "organisation", Value: organisation}})
}

// Placements are the placements begun from accepted proposals, one per
// proposal (a unique index).
type Placements struct {
	*versioned.Collection[domain.Placement, placementFields]
}

type placementFields struct {
	Person            string        `bson:"person"`
	Organisation      string        `bson:"organisation"`
	ProposalID        string        `bson:"proposal_id"`
	VacancyID         string        `bson:"vacancy_id"`
	EmployerID        string        `bson:"employer_id"`
	Contract          string        `bson:"contract"`
	StartsOn          time.Time     `bson:"starts_on"`
	EndsOn            time.Time     `bson:"ends_on"`
	WeeklyHours       int           `bson:"weekly_hours"`
	AllowanceCents    int           `bson:"allowance_cents"`
	DurationMonths    int           `bson:"duration_months"`
	Status            string        `bson:"status"`
	ConfirmDue        time.Time     `bson:"confirm_due"`
	UnconfirmedRaised bool          `bson:"unconfirmed_raised"`
	StartConfirmedAt  time.Time     `bson:"start_confirmed_at"`
	EndedOn           time.Time     `bson:"ended_on"`
	EndReason         string        `bson:"end_reason"`
	EndConfirmed      bool          `bson:"end_confirmed"`
	Link              linkDoc       `bson:"link"`
	FollowUps         []followUpDoc `bson:"follow_ups"`
}

type linkDoc struct {
	ID      string    `bson:"id"`
	Purpose string    `bson:"purpose"`
	Expires time.Time `bson:"expires"`
	Used    bool      `bson:"used"`
}

type followUpDoc struct {
	Month        int       `bson:"month"`
	StillWorking bool      `bson:"still_working"`
	WeeklyHours  int       `bson:"weekly_hours"`
	RecordedBy   string    `bson:"recorded_by"`
	RecordedAt   time.Time `bson:"recorded_at"`
}

func newPlacements(db *mongo.Database, notify outbox.Notifier) *Placements {
	return &Placements{versioned.New(db.Collection(placementsColl), versioned.Config[domain.Placement, placementFields]{
		What: "placement", Fields: placementToFields, Value: placementFromDoc, Notify: notify,
	})}
}

// Of returns the placements of an organisation in charge (party
// "organisation") or of an employer (party "employer").
func (s *Placements) Of(ctx context.Context, party, id string) ([]*domain.Placement, error) {
	field := "organisation"
	if party == "employer" {
		field = "employer_id"
	}
	return s.Find(ctx, bson.D{{Key: field, Value: id}})
}

// Unconfirmed returns at most limit placements still awaiting the
// employer's start confirmation whose due date is before now and not yet
// reported.
func (s *Placements) Unconfirmed(ctx context.Context, now time.Time, limit int) ([]*domain.Placement, error) {
	filter := bson.D{
		{Key: "status", Value: string(domain.AwaitingConfirmation)},
		{Key: "unconfirmed_raised", Value: false},
		{Key: "confirm_due", Value: bson.D{{Key: "$lt", Value: now}}},
	}
	return s.Find(ctx, filter, options.Find().SetLimit(int64(limit)))
}

func placementToFields(p *domain.Placement) placementFields {
	f := placementFields{
		Person: p.Person, Organisation: p.Organisation, ProposalID: p.ProposalID, VacancyID: p.VacancyID,
		EmployerID: p.EmployerID, Contract: string(p.Contract), StartsOn: p.StartsOn, EndsOn: p.EndsOn,
		WeeklyHours: p.WeeklyHours, AllowanceCents: p.AllowanceCents, DurationMonths: p.DurationMonths,
		Status: string(p.Status), ConfirmDue: p.ConfirmDue, UnconfirmedRaised: p.UnconfirmedRaised,
		StartConfirmedAt: p.StartConfirmedAt, EndedOn: p.EndedOn, EndReason: string(p.EndReason), EndConfirmed: p.EndConfirmed,
		Link:      linkDoc{ID: p.Link.ID, Purpose: string(p.Link.Purpose), Expires: p.Link.Expires, Used: p.Link.Used},
		FollowUps: []followUpDoc{},
	}
	for _, fu := range p.FollowUps {
		f.FollowUps = append(f.FollowUps, followUpDoc(fu))
	}
	return f
}

func placementFromDoc(id string, version int64, f *placementFields) *domain.Placement {
	p := &domain.Placement{
		ID: id, Person: f.Person, Organisation: f.Organisation, ProposalID: f.ProposalID, VacancyID: f.VacancyID,
		EmployerID: f.EmployerID, Contract: domain.ContractKind(f.Contract), StartsOn: utc(f.StartsOn), EndsOn: utc(f.EndsOn),
		WeeklyHours: f.WeeklyHours, AllowanceCents: f.AllowanceCents, DurationMonths: f.DurationMonths,
		Status: domain.PlacementStatus(f.Status), ConfirmDue: utc(f.ConfirmDue), UnconfirmedRaised: f.UnconfirmedRaised,
		StartConfirmedAt: utc(f.StartConfirmedAt), EndedOn: utc(f.EndedOn), EndReason: domain.EndReason(f.EndReason),
		EndConfirmed: f.EndConfirmed, Version: version,
		Link: domain.Link{ID: f.Link.ID, Purpose: domain.LinkPurpose(f.Link.Purpose), Expires: utc(f.Link.Expires), Used: f.Link.Used},
	}
	for _, fu := range f.FollowUps {
		fu.RecordedAt = utc(fu.RecordedAt)
		p.FollowUps = append(p.FollowUps, domain.FollowUp(fu))
	}
	return p
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

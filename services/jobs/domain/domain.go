// Package domain holds the jobs service's entities and rules: candidate
// profiles, employers and vacancies, proposals, placements with their
// employer confirmations and follow-ups. It depends on nothing but the
// standard library and the shared error vocabulary.
package domain

import (
	"slices"
	"strconv"
	"time"

	"github.com/percorsi/percorsi/pkg/errcode"
)

// Evidence says how sure we are that a person has a skill; matching weighs
// a skill by it.
type Evidence int

const (
	Declared  Evidence = 1 + iota // the person says so
	Assessed                      // a counsellor or trainer has seen it
	Certified                     // a regional qualification or unit of competence
)

// ParseEvidence reads "declared", "assessed" or "certified".
func ParseEvidence(s string) (Evidence, bool) {
	switch s {
	case "declared":
		return Declared, true
	case "assessed":
		return Assessed, true
	case "certified":
		return Certified, true
	}
	return 0, false
}

func (e Evidence) String() string {
	switch e {
	case Declared:
		return "declared"
	case Assessed:
		return "assessed"
	case Certified:
		return "certified"
	}
	return "unknown"
}

// Level is a CEFR level of Italian; the zero Level means not assessed.
// The numbering is the courses contract's.
type Level int

const (
	NoLevel Level = iota
	PreA1
	A1
	A2
	B1
	B2
	C1
	C2
)

var levelNames = []string{"", "pre-A1", "A1", "A2", "B1", "B2", "C1", "C2"}

// ParseLevel reads "A2", "B1", ...; "" is NoLevel.
func ParseLevel(s string) (Level, bool) {
	i := slices.Index(levelNames, s)
	return Level(i), i >= 0
}

func (l Level) String() string {
	if l < 0 || int(l) >= len(levelNames) {
		return "?"
	}
	if l == NoLevel {
		return "none"
	}
	return levelNames[l]
}

// Shift is a part of the day a job is worked in.
type Shift string

const (
	Morning   Shift = "morning"
	Afternoon Shift = "afternoon"
	Evening   Shift = "evening"
	Night     Shift = "night"
)

// Valid reports whether s is a known shift.
func (s Shift) Valid() bool {
	return s == Morning || s == Afternoon || s == Evening || s == Night
}

// ContractKind is the kind of placement.
type ContractKind string

const (
	Internship     ContractKind = "internship" // tirocinio extracurricolare
	Apprenticeship ContractKind = "apprenticeship"
	FixedTerm      ContractKind = "fixed_term"
	Permanent      ContractKind = "permanent"
)

// Valid reports whether k is a known contract kind.
func (k ContractKind) Valid() bool {
	return k == Internship || k == Apprenticeship || k == FixedTerm || k == Permanent
}

// Point is a coarse location: the centroid of a municipality or district,
// never an address.
type Point struct{ Lat, Lon float64 }

// Skill is an ESCO skill with its best evidence.
type Skill struct {
	Code     string // ESCO skill URI or code
	Evidence Evidence
}

// Experience is past work in an ESCO occupation.
type Experience struct {
	Occupation string
	Months     int
}

// Preferences are what the person wants and can do. Empty lists mean "any".
type Preferences struct {
	Sectors        []string
	Contracts      []ContractKind
	Shifts         []Shift // the shifts the person can work (care duties, transport)
	MaxWeeklyHours int     // 0: no limit stated
	MaxCommuteKm   int     // 0: not stated (a default applies)
}

// Permit is what jobs knows of the person's right to work, from pathway.
type Permit struct {
	Known      bool
	MayWork    bool
	ValidUntil time.Time // zero: no end
	At         time.Time // when the fact occurred, for newer-wins
}

// ValidOn reports whether the person may work on day.
func (p Permit) ValidOn(day time.Time) bool {
	return p.Known && p.MayWork && (p.ValidUntil.IsZero() || !p.ValidUntil.Before(day))
}

// Qualification is a regional qualification obtained in training.
type Qualification struct {
	Code, Region, Title string
	EQF                 int
}

// Profile is a candidate: what the counsellor records and the facts other
// services publish. A profile can exist with facts only, before the
// counsellor opens it (Active false): it is then nobody's candidate yet.
type Profile struct {
	Person         string // pseudonym
	Organisation   string // in charge of the person; "" until opened
	DisplayName    string // as the organisation chose, shown to employers of a placement
	Active         bool
	Skills         []Skill
	Experience     []Experience
	Prefs          Preferences
	Home           Point
	AvailableFrom  time.Time
	Italian        Level
	ItalianAt      time.Time
	Digital        map[string]int // DigComp proficiency 1-8 by area
	DigitalAt      time.Time
	Qualifications []Qualification
	Permit         Permit
	// Applied holds the ids of the last events applied, so a redelivered
	// event changes nothing. Bounded: see MaxApplied.
	Applied []string
	Version int64
}

// NewProfile is the profile of a person nothing is known of yet, which the
// first fact or the counsellor's record starts from.
func NewProfile(person string) *Profile { return &Profile{Person: person} }

// MaxApplied bounds Profile.Applied: redelivery is of recent events.
const MaxApplied = 64

// AddSkill records code with evidence, keeping the strongest evidence.
func (p *Profile) AddSkill(code string, ev Evidence) bool {
	for i := range p.Skills {
		if p.Skills[i].Code == code {
			if p.Skills[i].Evidence >= ev {
				return false
			}
			p.Skills[i].Evidence = ev
			return true
		}
	}
	p.Skills = append(p.Skills, Skill{Code: code, Evidence: ev})
	return true
}

// SeenEvent reports whether id was already applied, and remembers it if not.
func (p *Profile) SeenEvent(id string) bool {
	if slices.Contains(p.Applied, id) {
		return true
	}
	p.Applied = append(p.Applied, id)
	if len(p.Applied) > MaxApplied {
		p.Applied = slices.Clone(p.Applied[len(p.Applied)-MaxApplied:])
	}
	return false
}

// Employer is a company or body that offers vacancies.
type Employer struct {
	ID    string
	Name  string
	Sites []Site
	// Organisation registered the employer and keeps its record: every
	// organisation publishes vacancies of it, only this one changes it.
	Organisation string
}

// Site is one of an employer's workplaces.
type Site struct {
	ID, Name, Municipality string
	Location               Point
}

// Site returns the site with id.
func (e *Employer) Site(id string) (Site, bool) {
	for _, s := range e.Sites {
		if s.ID == id {
			return s, true
		}
	}
	return Site{}, false
}

// VacancyStatus is whether a vacancy takes candidates.
type VacancyStatus string

const (
	Open   VacancyStatus = "open"
	Closed VacancyStatus = "closed"
)

// Vacancy is a job or internship offered by an employer at one of its sites.
type Vacancy struct {
	ID           string
	EmployerID   string
	SiteID       string
	Organisation string // the counsellor's organisation that published it
	Title        string
	Occupation   string // ESCO occupation
	Sector       string
	Required     []string // ESCO skills
	Desirable    []string
	MinItalian   Level
	Location     Point
	WeeklyHours  int
	Shift        Shift
	Contract     ContractKind
	Positions    int
	StartsOn     time.Time
	ClosesOn     time.Time
	Status       VacancyStatus
}

// OpenOn reports whether the vacancy takes candidates at t: it stays
// open through its closing day.
func (v *Vacancy) OpenOn(t time.Time) bool {
	return v.Status == Open && t.Before(v.ClosesOn.AddDate(0, 0, 1))
}

// Check validates a new vacancy, naming the field at fault.
func (v *Vacancy) Check() error {
	switch {
	case v.Title == "":
		return errcode.New(errcode.Invalid, "title", "is required")
	case v.Occupation == "":
		return errcode.New(errcode.Invalid, "occupation", "is required (an ESCO occupation)")
	case !v.Contract.Valid():
		return errcode.New(errcode.Invalid, "contract", "must be internship, apprenticeship, fixed_term or permanent")
	case !v.Shift.Valid():
		return errcode.New(errcode.Invalid, "shift", "must be morning, afternoon, evening or night")
	case v.WeeklyHours < 1 || v.WeeklyHours > 48:
		return errcode.New(errcode.Invalid, "weekly_hours", "must be between 1 and 48")
	case v.Positions < 1 || v.Positions > 100:
		return errcode.New(errcode.Invalid, "positions", "must be between 1 and 100")
	case v.StartsOn.IsZero():
		return errcode.New(errcode.Invalid, "starts_on", "is required")
	case v.ClosesOn.IsZero() || v.ClosesOn.After(v.StartsOn):
		return errcode.New(errcode.Invalid, "closes_on", "is required and must not be after starts_on")
	case len(v.Required)+len(v.Desirable) > 50:
		return errcode.New(errcode.Invalid, "required_skills", "at most 50 skills in all")
	}
	for i, s := range v.Required {
		if s == "" {
			return errcode.New(errcode.Invalid, "required_skills["+strconv.Itoa(i)+"]", "is empty")
		}
	}
	for i, s := range v.Desirable {
		if s == "" {
			return errcode.New(errcode.Invalid, "desirable_skills["+strconv.Itoa(i)+"]", "is empty")
		}
	}
	return nil
}

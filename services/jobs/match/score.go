// Package match ranks candidates for vacancies and proposes the assignment
// of many candidates to many vacancies with the best total score. It is
// pure computation over domain values, free of I/O, so that it is fast and
// testable on its own.
//
// A score is the sum of five parts, each shown with its reason: skills
// (weighted by evidence), Italian, distance, availability and preferences.
// Hard constraints exclude a pair whatever its score: no valid work
// authorisation on the start day, Italian below the vacancy's minimum,
// more weekly hours than the person can work, a shift the person cannot
// work.
package match

import (
	"math"
	"slices"

	"github.com/percorsi/percorsi/services/jobs/domain"
)

// Part is one component of a score.
type Part int

const (
	Skills Part = iota
	Language
	Distance
	Availability
	Preferences
	numParts
)

var partNames = [numParts]string{"skills", "language", "distance", "availability", "preferences"}

func (p Part) String() string { return partNames[p] }

// MaxPoints is the most each part can give; they add up to 100.
var MaxPoints = [numParts]int{Skills: 40, Language: 15, Distance: 20, Availability: 15, Preferences: 10}

// Weights of a vacancy's skills and of a person's evidence for one, in
// percent: a certified required skill counts fully, a declared one half.
const (
	requiredWeight  = 2
	desirableWeight = 1
)

var evidencePercent = map[domain.Evidence]int{domain.Declared: 50, domain.Assessed: 80, domain.Certified: 100}

// Exclusion is a set of hard constraints a pair breaks.
type Exclusion uint8

const (
	NoWorkPermit Exclusion = 1 << iota
	ItalianBelowMinimum
	TooManyHours
	ShiftImpossible
)

var exclusionNames = [...]string{"work_permit", "italian_minimum", "weekly_hours", "shift"}

// Names returns the names of the constraints in e, in a fixed order.
func (e Exclusion) Names() []string {
	var out []string
	for i, n := range exclusionNames {
		if e&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}

// Config holds the matching settings that are policy, not rules.
type Config struct {
	// DefaultCommuteKm applies when a person stated no maximum commute.
	DefaultCommuteKm int
	// LateDays is how many days after a vacancy's start a person may
	// become available and still score for availability.
	LateDays int
}

// DefaultConfig is what the service uses unless configured otherwise.
var DefaultConfig = Config{DefaultCommuteKm: 30, LateDays: 30}

// Result is the score of one person for one vacancy.
type Result struct {
	Excluded Exclusion
	Points   [numParts]int
	Total    int // 0 when excluded
}

// Vacancy is a vacancy prepared for scoring many people against it.
type Vacancy struct {
	V      *domain.Vacancy
	cfg    Config
	weight map[string]int // skill code -> weight
	total  int            // sum of weights x 100
}

// Prepare readies v for scoring.
func Prepare(v *domain.Vacancy, cfg Config) *Vacancy {
	pv := &Vacancy{V: v, cfg: cfg, weight: make(map[string]int, len(v.Required)+len(v.Desirable))}
	for _, s := range v.Desirable {
		pv.weight[s] = desirableWeight
	}
	for _, s := range v.Required { // a skill both required and desirable is required
		pv.weight[s] = requiredWeight
	}
	for _, w := range pv.weight {
		pv.total += w * 100
	}
	return pv
}

// Score scores p for the vacancy. It allocates nothing.
func (pv *Vacancy) Score(p *domain.Profile) Result {
	var r Result
	v := pv.V
	if !p.Permit.ValidOn(v.StartsOn) {
		r.Excluded |= NoWorkPermit
	}
	if v.MinItalian > domain.NoLevel && p.Italian < v.MinItalian {
		r.Excluded |= ItalianBelowMinimum
	}
	if p.Prefs.MaxWeeklyHours > 0 && v.WeeklyHours > p.Prefs.MaxWeeklyHours {
		r.Excluded |= TooManyHours
	}
	if len(p.Prefs.Shifts) > 0 && !slices.Contains(p.Prefs.Shifts, v.Shift) {
		r.Excluded |= ShiftImpossible
	}
	if r.Excluded != 0 {
		return r
	}
	r.Points[Skills] = pv.skillPoints(p)
	r.Points[Language] = languagePoints(v.MinItalian, p.Italian)
	r.Points[Distance] = distancePoints(pv.km(p), pv.commute(p))
	r.Points[Availability] = pv.availabilityPoints(pv.lateDays(p))
	r.Points[Preferences] = preferencePoints(v, p)
	for _, pts := range r.Points {
		r.Total += pts
	}
	return r
}

func (pv *Vacancy) skillPoints(p *domain.Profile) int {
	if pv.total == 0 {
		return MaxPoints[Skills] // nothing asked: nobody falls short
	}
	got := 0
	for _, s := range p.Skills {
		if w, ok := pv.weight[s.Code]; ok {
			got += w * evidencePercent[s.Evidence]
		}
	}
	return MaxPoints[Skills] * got / pv.total
}

// languagePoints gives 10 at the vacancy's minimum (or at A2, the CPIA
// target, when it sets none) and 5 more per level above, up to 15.
func languagePoints(least, got domain.Level) int {
	ref := least
	if ref == domain.NoLevel {
		ref = domain.A2
	}
	return max(0, min(MaxPoints[Language], 10+5*int(got-ref)))
}

func distancePoints(km, commute int) int {
	if km >= commute {
		return 0
	}
	return MaxPoints[Distance] * (commute - km) / commute
}

func (pv *Vacancy) availabilityPoints(late int) int {
	switch {
	case late <= 0:
		return MaxPoints[Availability]
	case late >= pv.cfg.LateDays:
		return 0
	}
	return MaxPoints[Availability] * (pv.cfg.LateDays - late) / pv.cfg.LateDays
}

func preferencePoints(v *domain.Vacancy, p *domain.Profile) int {
	pts := 0
	if len(p.Prefs.Sectors) == 0 || slices.Contains(p.Prefs.Sectors, v.Sector) {
		pts += MaxPoints[Preferences] / 2
	}
	if len(p.Prefs.Contracts) == 0 || slices.Contains(p.Prefs.Contracts, v.Contract) {
		pts += MaxPoints[Preferences] / 2
	}
	return pts
}

func (pv *Vacancy) commute(p *domain.Profile) int {
	if p.Prefs.MaxCommuteKm > 0 {
		return p.Prefs.MaxCommuteKm
	}
	return pv.cfg.DefaultCommuteKm
}

func (pv *Vacancy) km(p *domain.Profile) int {
	return int(math.Round(Km(p.Home, pv.V.Location)))
}

func (pv *Vacancy) lateDays(p *domain.Profile) int {
	if !p.AvailableFrom.After(pv.V.StartsOn) {
		return 0
	}
	return int(math.Ceil(p.AvailableFrom.Sub(pv.V.StartsOn).Hours() / 24))
}

// Km is the great-circle distance between two points.
func Km(a, b domain.Point) float64 {
	const earthKm = 6371.0
	rad := math.Pi / 180
	dLat, dLon := (b.Lat-a.Lat)*rad, (b.Lon-a.Lon)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthKm * math.Asin(math.Sqrt(min(1, h)))
}

// Explanation is a score with the reason of each part and of each
// exclusion, for people to read once the transport puts them in words.
type Explanation struct {
	Total      int
	Parts      []PartReason
	Exclusions []ExclusionReason
}

// PartReason is one part of a score; its reasons are said one after the
// other (the skills required, then the desirable ones).
type PartReason struct {
	Part   string
	Points int
	Max    int
	Why    []Reason
}

// ExclusionReason is one hard constraint broken.
type ExclusionReason struct {
	Constraint string
	Why        Reason
}

// Explain scores p and says why, part by part. It is meant for the few
// results a person reads, not for every profile ranked.
func (pv *Vacancy) Explain(p *domain.Profile) Explanation {
	r := pv.Score(p)
	v := pv.V
	var e Explanation
	if r.Excluded&NoWorkPermit != 0 {
		why := Reason{Code: ReasonPermitUnknown}
		switch {
		case p.Permit.Known && !p.Permit.MayWork:
			why.Code = ReasonPermitNoWork
		case p.Permit.Known:
			why = Reason{Code: ReasonPermitExpires, Until: p.Permit.ValidUntil, On: v.StartsOn}
		}
		e.Exclusions = append(e.Exclusions, ExclusionReason{"work_permit", why})
	}
	if r.Excluded&ItalianBelowMinimum != 0 {
		e.Exclusions = append(e.Exclusions, ExclusionReason{"italian_minimum",
			Reason{Code: ReasonItalianBelowMinimum, Italian: p.Italian, Least: v.MinItalian}})
	}
	if r.Excluded&TooManyHours != 0 {
		e.Exclusions = append(e.Exclusions, ExclusionReason{"weekly_hours",
			Reason{Code: ReasonTooManyHours, N: v.WeeklyHours, Most: p.Prefs.MaxWeeklyHours}})
	}
	if r.Excluded&ShiftImpossible != 0 {
		e.Exclusions = append(e.Exclusions, ExclusionReason{"shift",
			Reason{Code: ReasonShiftNotWorked, Shift: v.Shift, Shifts: p.Prefs.Shifts}})
	}
	if r.Excluded != 0 {
		return e
	}
	e.Total = r.Total
	reasons := [numParts][]Reason{
		Skills:       pv.skillReasons(p),
		Language:     {languageReason(v.MinItalian, p.Italian)},
		Distance:     {{Code: ReasonDistance, N: pv.km(p), Most: pv.commute(p)}},
		Availability: {pv.availabilityReason(p)},
		Preferences:  preferenceReasons(v, p),
	}
	for i := range numParts {
		e.Parts = append(e.Parts, PartReason{Part: i.String(), Points: r.Points[i], Max: MaxPoints[i], Why: reasons[i]})
	}
	return e
}

func (pv *Vacancy) skillReasons(p *domain.Profile) []Reason {
	if pv.total == 0 {
		return []Reason{{Code: ReasonSkillsNoneAsked}}
	}
	evidence := make(map[string]domain.Evidence, len(p.Skills))
	for _, s := range p.Skills {
		evidence[s.Code] = s.Evidence
	}
	of := func(code ReasonCode, codes []string) Reason {
		why := Reason{Code: code}
		for _, c := range codes {
			if ev, ok := evidence[c]; ok {
				why.Held = append(why.Held, domain.Skill{Code: c, Evidence: ev})
			} else {
				why.Lacks = append(why.Lacks, c)
			}
		}
		return why
	}
	var out []Reason
	if len(pv.V.Required) > 0 {
		out = append(out, of(ReasonSkillsRequired, pv.V.Required))
	}
	if len(pv.V.Desirable) > 0 {
		out = append(out, of(ReasonSkillsDesirable, pv.V.Desirable))
	}
	return out
}

func languageReason(least, got domain.Level) Reason {
	if least == domain.NoLevel {
		return Reason{Code: ReasonItalianReference, Italian: got, Least: domain.A2}
	}
	return Reason{Code: ReasonItalianMinimum, Italian: got, Least: least}
}

func (pv *Vacancy) availabilityReason(p *domain.Profile) Reason {
	late := pv.lateDays(p)
	if late <= 0 {
		return Reason{Code: ReasonAvailableByStart, On: pv.V.StartsOn}
	}
	return Reason{Code: ReasonAvailableLate, On: p.AvailableFrom, N: late}
}

func preferenceReasons(v *domain.Vacancy, p *domain.Profile) []Reason {
	sector := Reason{Code: ReasonSectorNotPreferred, Sector: v.Sector}
	switch {
	case len(p.Prefs.Sectors) == 0:
		sector = Reason{Code: ReasonNoSectorPreference}
	case slices.Contains(p.Prefs.Sectors, v.Sector):
		sector.Code = ReasonSectorPreferred
	}
	contract := Reason{Code: ReasonContractNotPreferred, Contract: v.Contract}
	switch {
	case len(p.Prefs.Contracts) == 0:
		contract = Reason{Code: ReasonNoContractPreference}
	case slices.Contains(p.Prefs.Contracts, v.Contract):
		contract.Code = ReasonContractPreferred
	}
	return []Reason{sector, contract}
}

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
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

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
// exclusion, for people to read.
type Explanation struct {
	Total      int
	Parts      []PartReason
	Exclusions []ExclusionReason
}

// PartReason is one part of a score.
type PartReason struct {
	Part   string `json:"part"`
	Points int    `json:"points"`
	Max    int    `json:"max"`
	Reason string `json:"reason"`
}

// ExclusionReason is one hard constraint broken.
type ExclusionReason struct {
	Constraint string `json:"constraint"`
	Reason     string `json:"reason"`
}

// Explain scores p and says why, part by part. It is meant for the few
// results a person reads, not for every profile ranked.
func (pv *Vacancy) Explain(p *domain.Profile) Explanation {
	r := pv.Score(p)
	v := pv.V
	var e Explanation
	if r.Excluded&NoWorkPermit != 0 {
		reason := "no permit known"
		switch {
		case p.Permit.Known && !p.Permit.MayWork:
			reason = "the permit does not allow work"
		case p.Permit.Known:
			reason = fmt.Sprintf("the permit expires on %s, before the start on %s",
				p.Permit.ValidUntil.Format(time.DateOnly), v.StartsOn.Format(time.DateOnly))
		}
		e.Exclusions = append(e.Exclusions, ExclusionReason{"work_permit", reason})
	}
	if r.Excluded&ItalianBelowMinimum != 0 {
		e.Exclusions = append(e.Exclusions, ExclusionReason{"italian_minimum",
			fmt.Sprintf("Italian %s, below the minimum %s", p.Italian, v.MinItalian)})
	}
	if r.Excluded&TooManyHours != 0 {
		e.Exclusions = append(e.Exclusions, ExclusionReason{"weekly_hours",
			fmt.Sprintf("%d hours a week, more than the %d the person can work", v.WeeklyHours, p.Prefs.MaxWeeklyHours)})
	}
	if r.Excluded&ShiftImpossible != 0 {
		e.Exclusions = append(e.Exclusions, ExclusionReason{"shift",
			fmt.Sprintf("%s shift; the person can work %s", v.Shift, joinShifts(p.Prefs.Shifts))})
	}
	if r.Excluded != 0 {
		return e
	}
	e.Total = r.Total
	reasons := [numParts]string{
		Skills:       pv.skillReason(p),
		Language:     languageReason(v.MinItalian, p.Italian),
		Distance:     fmt.Sprintf("%d km, maximum commute %d km", pv.km(p), pv.commute(p)),
		Availability: pv.availabilityReason(p),
		Preferences:  preferenceReason(v, p),
	}
	for i := range numParts {
		e.Parts = append(e.Parts, PartReason{Part: i.String(), Points: r.Points[i], Max: MaxPoints[i], Reason: reasons[i]})
	}
	return e
}

func (pv *Vacancy) skillReason(p *domain.Profile) string {
	if pv.total == 0 {
		return "the vacancy asks for no specific skills"
	}
	evidence := make(map[string]domain.Evidence, len(p.Skills))
	for _, s := range p.Skills {
		evidence[s.Code] = s.Evidence
	}
	describe := func(kind string, codes []string) string {
		var has, lacks []string
		for _, c := range codes {
			if ev, ok := evidence[c]; ok {
				has = append(has, c+" ("+ev.String()+")")
			} else {
				lacks = append(lacks, c)
			}
		}
		s := fmt.Sprintf("%s %d of %d", kind, len(has), len(codes))
		if len(has) > 0 {
			s += ": " + strings.Join(has, ", ")
		}
		if len(lacks) > 0 {
			s += "; lacks " + strings.Join(lacks, ", ")
		}
		return s
	}
	var parts []string
	if len(pv.V.Required) > 0 {
		parts = append(parts, describe("required", pv.V.Required))
	}
	if len(pv.V.Desirable) > 0 {
		parts = append(parts, describe("desirable", pv.V.Desirable))
	}
	return strings.Join(parts, "; ")
}

func languageReason(least, got domain.Level) string {
	if least == domain.NoLevel {
		return fmt.Sprintf("Italian %s; no minimum set (reference A2)", got)
	}
	return fmt.Sprintf("Italian %s; minimum %s", got, least)
}

func (pv *Vacancy) availabilityReason(p *domain.Profile) string {
	late := pv.lateDays(p)
	if late <= 0 {
		return "available by the start on " + pv.V.StartsOn.Format(time.DateOnly)
	}
	return fmt.Sprintf("available from %s, %d days after the start", p.AvailableFrom.Format(time.DateOnly), late)
}

func preferenceReason(v *domain.Vacancy, p *domain.Profile) string {
	var out []string
	switch {
	case len(p.Prefs.Sectors) == 0:
		out = append(out, "no sector preference")
	case slices.Contains(p.Prefs.Sectors, v.Sector):
		out = append(out, "sector "+v.Sector+" preferred")
	default:
		out = append(out, "sector "+v.Sector+" not among the preferred")
	}
	switch {
	case len(p.Prefs.Contracts) == 0:
		out = append(out, "no contract preference")
	case slices.Contains(p.Prefs.Contracts, v.Contract):
		out = append(out, "contract "+string(v.Contract)+" preferred")
	default:
		out = append(out, "contract "+string(v.Contract)+" not among the preferred")
	}
	return strings.Join(out, "; ")
}

func joinShifts(s []domain.Shift) string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = string(x)
	}
	return strings.Join(out, ", ")
}

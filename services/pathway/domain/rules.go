package domain

import (
	"slices"
	"sort"
	"strconv"
	"time"
)

// Rules are the configurable thresholds of autonomy and alerts. The
// defaults follow DOMAIN.md; every one can be changed per deployment.
type Rules struct {
	// Italian is achieved at this CEFR level or above (A2: what the CPIA
	// attestation and the long-term permit ask for).
	ItalianLevel string
	// Digital is achieved when a DigComp area reaches this level (1-8).
	DigitalLevel int
	// Work is achieved by a placement confirmed by the employer that has
	// lasted this many months.
	PlacementMonths int
	// Autonomous names the areas that must all be achieved for the stage
	// "autonomous".
	Autonomous []Area
	// AbsenceStreak consecutive absences in one class raise an alert.
	AbsenceStreak int
	// PermitWarning is how long before a permit's expiry the grounds for
	// its conversion are checked.
	PermitWarning time.Duration
	// ActiveEnrolment: an attendance this recent counts as an active
	// enrolment (grounds for a study permit).
	ActiveEnrolment time.Duration
	// Inactivity without any fact raises an alert.
	Inactivity time.Duration
}

// DefaultRules are the rules unless configured otherwise.
func DefaultRules() Rules {
	return Rules{
		ItalianLevel: "a2", DigitalLevel: 3, PlacementMonths: 3,
		Autonomous:      []Area{Italian, Work, Housing, Legal},
		AbsenceStreak:   3,
		PermitWarning:   60 * 24 * time.Hour,
		ActiveEnrolment: 30 * 24 * time.Hour,
		Inactivity:      45 * 24 * time.Hour,
	}
}

var cefr = []string{"pre_a1", "a1", "a2", "b1", "b2", "c1", "c2"}

// AtLeastCEFR reports whether a CEFR level (a1, b2...) reaches min.
func AtLeastCEFR(level, min string) bool {
	l := slices.Index(cefr, level)
	return l >= 0 && l >= slices.Index(cefr, min)
}

// Stage is where a person is on the road to autonomy.
type Stage string

const (
	StageTakenInCharge Stage = "taken_in_charge" // nothing achieved or under way yet
	StageLearning      Stage = "learning"        // courses or training under way or done
	StageIntegrating   Stage = "integrating"     // work or a home of one's own reached
	StageAutonomous    Stage = "autonomous"      // every area in Rules.Autonomous achieved
)

// AreaState is the state of one area and why.
type AreaState struct {
	Area   Area
	Status string // none, in_progress, achieved
	Since  time.Time
	Why    Reason // the rule and the fact, e.g. CEFR a2 reached, a2 asked, on 2026-03-02
}

// Assessment is the autonomy of a person at a moment.
type Assessment struct {
	At    time.Time
	Stage Stage
	// Index is the share of areas achieved, in-progress areas counting half.
	Index float64
	Areas []AreaState
}

// StagePoint is a change of stage or index.
type StagePoint struct {
	At    time.Time
	Stage Stage
	Index float64
}

// Assess derives the autonomy of a person at `at` from their timeline.
// Entries after `at` are ignored, so the same function draws the history.
func (r Rules) Assess(entries []Entry, at time.Time) Assessment {
	return r.assess(Effective(entries), at)
}

// assess is Assess of entries already Effective.
func (r Rules) assess(entries []Entry, at time.Time) Assessment {
	st := map[Area]*AreaState{}
	for _, a := range Areas {
		st[a] = &AreaState{Area: a, Status: "none"}
	}
	mark := func(a Area, status string, since time.Time, why Reason) {
		s := st[a]
		if s.Status == "achieved" && status != "achieved" {
			return // a later lesser fact does not undo an achievement
		}
		if s.Status == status {
			return
		}
		s.Status, s.Since, s.Why = status, since, why
	}
	confirmed := map[string]time.Time{} // placement -> confirmed start
	ended := map[string]time.Time{}     // placement -> end
	// Vocational training is under way while an edition is, or once some
	// units of competence are certified; leaving every edition ends it.
	editions, certified := map[string]bool{}, false
	training := func(edition string, on time.Time, why Reason) {
		editions[edition] = true
		mark(Training, "in_progress", on, why)
	}
	for _, e := range entries {
		if e.OccurredAt.After(at) {
			break
		}
		if a := e.Attendance; a != nil {
			switch a.CourseKind {
			case "vocational":
				training(a.ClassID, e.OccurredAt, Reason{Code: ReasonAttendingTraining, On: e.OccurredAt})
			case "digital":
				mark(Digital, "in_progress", e.OccurredAt, Reason{Code: ReasonAttendingCourse, On: e.OccurredAt, Detail: a.CourseKind})
			default:
				mark(Italian, "in_progress", e.OccurredAt, Reason{Code: ReasonAttendingCourse, On: e.OccurredAt, Detail: a.CourseKind})
			}
			continue
		}
		f := e.Fact
		if f == nil {
			continue
		}
		switch f.Kind {
		case FactEnrolledInCourse:
			area := Italian
			if f.Detail == "digital" {
				area = Digital
			}
			mark(area, "in_progress", e.OccurredAt, Reason{Code: ReasonEnrolledInCourse, On: e.OccurredAt, Detail: f.Detail})
		case FactLevelAssessed, FactCourseCompleted, FactCertificateIssued:
			if f.Level == "" {
				continue // completed without a level: the lessons said it already
			}
			if f.Detail == "digital" {
				lvl := digcompLevel(f.Level)
				why := Reason{Code: ReasonDigCompBelow, On: e.OccurredAt, Level: strconv.Itoa(lvl), Want: strconv.Itoa(r.DigitalLevel)}
				if lvl >= r.DigitalLevel {
					why.Code = ReasonDigCompReached
					mark(Digital, "achieved", e.OccurredAt, why)
				} else {
					mark(Digital, "in_progress", e.OccurredAt, why)
				}
				continue
			}
			why := Reason{Code: ReasonCEFRBelow, On: e.OccurredAt, Level: f.Level, Want: r.ItalianLevel}
			if AtLeastCEFR(f.Level, r.ItalianLevel) {
				why.Code = ReasonCEFRReached
				mark(Italian, "achieved", e.OccurredAt, why)
			} else {
				mark(Italian, "in_progress", e.OccurredAt, why)
			}
		case FactEnrolledInTraining:
			training(f.Ref, e.OccurredAt, Reason{Code: ReasonEnrolledInTraining, On: e.OccurredAt, Detail: f.Detail, Level: f.Level})
		case FactModuleCompleted, FactInternshipHours, FactExamTaken:
			training(f.Ref, e.OccurredAt, Reason{Code: ReasonCode(f.Kind), On: e.OccurredAt}) // each of the three has its code
		case FactQualificationAwarded:
			mark(Training, "achieved", e.OccurredAt, Reason{Code: ReasonQualification, On: e.OccurredAt, Level: f.Level})
		case FactCompetencesCertified:
			certified = true
			mark(Training, "in_progress", e.OccurredAt, Reason{Code: ReasonCompetencesCertified, On: e.OccurredAt})
		case FactTrainingWithdrawn:
			delete(editions, f.Ref)
			if len(editions) == 0 && !certified {
				mark(Training, "none", e.OccurredAt, Reason{Code: ReasonTrainingWithdrawn, On: e.OccurredAt, Detail: f.Detail})
			}
		case FactPlacementStarted:
			mark(Work, "in_progress", e.OccurredAt, Reason{Code: ReasonPlacementStarted, On: e.OccurredAt})
		case FactPlacementConfirmed:
			if f.Detail == "start" {
				confirmed[f.Ref] = f.On
			}
		case FactPlacementEnded:
			ended[f.Ref] = e.OccurredAt
			if f.Detail == "hired" && !confirmed[f.Ref].IsZero() {
				mark(Work, "achieved", e.OccurredAt, Reason{Code: ReasonHired, On: e.OccurredAt})
			}
		case FactHousingStepStarted:
			if f.Level == "own_lease" {
				mark(Housing, "achieved", e.OccurredAt, Reason{Code: ReasonOwnLease, On: e.OccurredAt})
			} else {
				mark(Housing, "in_progress", e.OccurredAt, Reason{Code: ReasonHousingStep, On: e.OccurredAt, Level: f.Level})
			}
		case FactLeaseSigned:
			mark(Housing, "achieved", e.OccurredAt, Reason{Code: ReasonLeaseSigned, On: e.OccurredAt})
		case FactPermitRecorded:
			why := Reason{Code: ReasonPermit, On: e.OccurredAt, Level: f.Level}
			if PermitKind(f.Level).Stable() {
				mark(Legal, "achieved", e.OccurredAt, why)
				continue
			}
			if !f.Until.IsZero() {
				why.Code, why.Until = ReasonPermitUntil, f.Until
			}
			mark(Legal, "in_progress", e.OccurredAt, why)
		}
	}
	// A confirmed placement counts once it has lasted long enough by `at`,
	// even if it ended afterwards.
	for ref, start := range confirmed {
		done := start.AddDate(0, r.PlacementMonths, 0)
		end, isEnded := ended[ref]
		why := Reason{Code: ReasonPlacementConfirmed, On: start, Months: r.PlacementMonths, Until: done}
		if !done.After(at) && (!isEnded || !end.Before(done)) {
			why.Code = ReasonPlacementLasted
			mark(Work, "achieved", done, why)
		} else if !isEnded {
			mark(Work, "in_progress", start, why)
		}
	}

	out := Assessment{At: at, Stage: StageTakenInCharge}
	var score float64
	for _, a := range Areas {
		s := *st[a]
		out.Areas = append(out.Areas, s)
		switch s.Status {
		case "achieved":
			score++
		case "in_progress":
			score += 0.5
		}
	}
	out.Index = float64(int(score/float64(len(Areas))*100+0.5)) / 100
	achieved := func(a Area) bool { return st[a].Status == "achieved" }
	switch {
	case len(r.Autonomous) > 0 && allOf(r.Autonomous, achieved):
		out.Stage = StageAutonomous
	case achieved(Work) || achieved(Housing):
		out.Stage = StageIntegrating
	case st[Italian].Status != "none" || st[Digital].Status != "none" || st[Training].Status != "none":
		out.Stage = StageLearning
	}
	return out
}

func allOf(areas []Area, ok func(Area) bool) bool {
	for _, a := range areas {
		if !ok(a) {
			return false
		}
	}
	return true
}

// digcompLevel reads a DigComp proficiency level; anything else is no level.
func digcompLevel(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0
	}
	return n
}

// History draws the stage and index over time: assessed at every fact and
// at every moment a confirmed placement reaches its months, up to now; only
// changes are kept.
func (r Rules) History(entries []Entry, since, now time.Time) []StagePoint {
	moments := []time.Time{since}
	for _, e := range entries {
		moments = append(moments, e.OccurredAt)
		if f := e.Fact; f != nil && f.Kind == FactPlacementConfirmed && f.Detail == "start" {
			moments = append(moments, f.On.AddDate(0, r.PlacementMonths, 0))
		}
	}
	sort.Slice(moments, func(i, j int) bool { return moments[i].Before(moments[j]) })
	entries = Effective(entries)
	var out []StagePoint
	for _, m := range moments {
		if m.After(now) {
			break
		}
		a := r.assess(entries, m)
		if n := len(out); n > 0 && out[n-1].Stage == a.Stage && out[n-1].Index == a.Index {
			continue
		}
		out = append(out, StagePoint{At: m, Stage: a.Stage, Index: a.Index})
	}
	return out
}

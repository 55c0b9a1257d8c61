package domain

import (
	"slices"
	"strings"
	"time"
)

// Grounds says whether the pathway's facts at `now` support converting the
// art. 18 permit: a placement confirmed by the employer and not ended (a
// permit for work), or an active enrolment (a permit for study): a lesson
// attended or a day of internship within ActiveEnrolment, in a course the
// person has not withdrawn from.
func (r Rules) Grounds(entries []Entry, now time.Time) (ok bool, why Reason) {
	confirmed, ended := map[string]time.Time{}, map[string]bool{}
	attended := map[string]time.Time{} // class or edition -> last lesson
	for _, e := range Effective(entries) {
		if e.OccurredAt.After(now) {
			break
		}
		if a := e.Attendance; a != nil && (a.Status == "present" || a.Status == "late") {
			attended[a.ClassID] = e.OccurredAt
		}
		if f := e.Fact; f != nil {
			switch {
			case f.Kind == FactPlacementConfirmed && f.Detail == "start":
				confirmed[f.Ref] = f.On
			case f.Kind == FactPlacementEnded:
				ended[f.Ref] = true
			case f.Kind == FactInternshipHours && f.Minutes > 0:
				attended[f.Ref] = e.OccurredAt
			case f.Kind == FactTrainingWithdrawn || f.Kind == FactCourseWithdrawn:
				delete(attended, f.Ref)
			}
		}
	}
	for ref, on := range confirmed {
		if !ended[ref] {
			return true, Reason{Code: ReasonGroundsWork, On: on}
		}
	}
	var lastLesson time.Time
	for _, at := range attended {
		if at.After(lastLesson) {
			lastLesson = at
		}
	}
	if !lastLesson.IsZero() && now.Sub(lastLesson) <= r.ActiveEnrolment {
		return true, Reason{Code: ReasonGroundsStudy, On: lastLesson}
	}
	return false, Reason{Code: ReasonNoGrounds}
}

// LastActivity is when the latest fact about p by `now` occurred, or when
// p was taken in charge or the case worker last recorded something if
// later. Pathway's own alerts are not activity: an alert about silence
// must not end the silence it reports.
func LastActivity(p *Person, entries []Entry, now time.Time) time.Time {
	last := p.Since
	if r := p.LastRecorded(); r.After(last) && !r.After(now) {
		last = r
	}
	for _, e := range entries {
		if e.OccurredAt.After(now) {
			break
		}
		if f := e.Fact; f != nil && (f.Kind == FactAlertRaised || f.Kind == FactAlertResolved) {
			continue
		}
		if e.OccurredAt.After(last) {
			last = e.OccurredAt
		}
	}
	return last
}

// Check returns the alerts p's facts call for at `now` that p does not hold
// yet, and the ids of open alerts that later facts cleared. Alert ids are
// deterministic, so checking again (or replaying) raises nothing twice.
func (r Rules) Check(p *Person, entries []Entry, now time.Time) (raise []Alert, clear []string) {
	if p.Closed != nil {
		return nil, nil
	}
	want := map[string]Alert{}
	add := func(kind AlertKind, key string, due time.Time) {
		id := string(kind) + ":" + key
		want[id] = Alert{ID: id, Kind: kind, RaisedAt: now, Due: due}
	}

	// Absence streaks, per class or edition, on the marks as corrected.
	streak := map[string]int{}
	start := map[string]string{}
	unconfirmed := map[string]bool{}
	for _, e := range Effective(entries) {
		if e.OccurredAt.After(now) {
			break
		}
		if a := e.Attendance; a != nil {
			if a.Status == "absent" {
				if streak[a.ClassID] == 0 {
					start[a.ClassID] = a.LessonID
				}
				streak[a.ClassID]++
				if streak[a.ClassID] == r.AbsenceStreak {
					add(AlertAbsenceStreak, a.ClassID+":"+start[a.ClassID], e.OccurredAt)
				}
			} else if a.Status != "excused" {
				streak[a.ClassID] = 0
			}
			continue
		}
		f := e.Fact
		if f == nil {
			continue
		}
		switch f.Kind {
		case FactPlacementUnconfirmed:
			unconfirmed[f.Ref] = true
		case FactPlacementConfirmed, FactPlacementEnded:
			delete(unconfirmed, f.Ref)
		case FactHousingExited:
			if f.Detail == "unknown" || f.Detail == "unspecified" || f.Detail == "homeless" {
				add(AlertHousingExit, f.Ref, e.OccurredAt)
			}
		}
	}
	for ref := range unconfirmed {
		add(AlertPlacementUnconfirmed, ref, now)
	}
	if permit := p.Current(); permit != nil && permit.Kind == PermitSpecialCases &&
		!permit.ValidUntil.IsZero() && permit.ValidUntil.Sub(now) <= r.PermitWarning {
		if ok, _ := r.Grounds(entries, now); !ok {
			add(AlertPermitWithoutGrounds, permit.ValidUntil.Format("2006-01-02"), permit.ValidUntil)
		}
	}
	if last := LastActivity(p, entries, now); !last.IsZero() && now.Sub(last) >= r.Inactivity {
		add(AlertInactivity, last.Format("2006-01-02"), last.Add(r.Inactivity))
	}

	held := map[string]bool{}
	for _, a := range p.Alerts {
		held[a.ID] = true
		// Conditions that later facts undo clear their alert.
		if _, still := want[a.ID]; !still && a.Open() &&
			(a.Kind == AlertPlacementUnconfirmed || a.Kind == AlertPermitWithoutGrounds || a.Kind == AlertInactivity) {
			clear = append(clear, a.ID)
		}
	}
	for id, a := range want {
		if !held[id] {
			raise = append(raise, a)
		}
	}
	slices.SortFunc(raise, func(a, b Alert) int { return strings.Compare(a.ID, b.ID) })
	return raise, clear
}

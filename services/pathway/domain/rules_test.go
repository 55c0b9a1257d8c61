package domain_test

import (
	"slices"
	"testing"
	"time"

	"github.com/percorsi/percorsi/services/pathway/domain"
)

func on(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func fact(day string, kind domain.FactKind, ref, level, detail string) domain.Entry {
	return domain.Entry{OccurredAt: on(day), Fact: &domain.Fact{Kind: kind, Ref: ref, Level: level, Detail: detail, On: on(day)}}
}

func vocational(day, edition, lesson, status string) domain.Entry {
	return domain.Entry{OccurredAt: on(day), Attendance: &domain.Attendance{CourseKind: "vocational", ClassID: edition, LessonID: lesson, Status: status}}
}

// correct is a correction of lesson's mark made on day.
func correct(day, class, lesson, status string) domain.Entry {
	e := mark(day, class, lesson, status)
	e.Attendance.Correction = true
	return e
}

func mark(day, class, lesson, status string) domain.Entry {
	return domain.Entry{OccurredAt: on(day), Attendance: &domain.Attendance{CourseKind: "italian_l2", ClassID: class, LessonID: lesson, Status: status}}
}

func TestAssess(t *testing.T) {
	t.Parallel()
	r := domain.DefaultRules()
	for _, tc := range []struct {
		name    string
		entries []domain.Entry
		at      string
		stage   domain.Stage
		status  map[domain.Area]string
	}{
		{"nothing yet", nil, "2026-01-01", domain.StageTakenInCharge, map[domain.Area]string{domain.Italian: "none"}},
		{"attending Italian", []domain.Entry{mark("2026-01-05", "c1", "l1", "present")}, "2026-01-06", domain.StageLearning,
			map[domain.Area]string{domain.Italian: "in_progress"}},
		{"A1 is not enough", []domain.Entry{fact("2026-02-01", "level_assessed", "a", "a1", "italian_l2")}, "2026-02-02", domain.StageLearning,
			map[domain.Area]string{domain.Italian: "in_progress"}},
		{"B1 is", []domain.Entry{fact("2026-02-01", "level_assessed", "a", "b1", "italian_l2")}, "2026-02-02", domain.StageLearning,
			map[domain.Area]string{domain.Italian: "achieved"}},
		{"a later A1 does not undo A2", []domain.Entry{fact("2026-02-01", "level_assessed", "a", "a2", "italian_l2"), fact("2026-03-01", "level_assessed", "b", "a1", "italian_l2")},
			"2026-03-02", domain.StageLearning, map[domain.Area]string{domain.Italian: "achieved"}},
		{"DigComp 3", []domain.Entry{fact("2026-02-01", "level_assessed", "a", "3", "digital")}, "2026-02-02", domain.StageLearning,
			map[domain.Area]string{domain.Digital: "achieved"}},
		{"placement confirmed, not yet 3 months", []domain.Entry{fact("2026-02-01", "placement_started", "p", "", ""), fact("2026-02-01", "placement_confirmed", "p", "", "start")},
			"2026-04-30", domain.StageTakenInCharge, map[domain.Area]string{domain.Work: "in_progress"}},
		{"placement confirmed, 3 months", []domain.Entry{fact("2026-02-01", "placement_started", "p", "", ""), fact("2026-02-01", "placement_confirmed", "p", "", "start")},
			"2026-05-01", domain.StageIntegrating, map[domain.Area]string{domain.Work: "achieved"}},
		{"placement ended before 3 months", []domain.Entry{fact("2026-02-01", "placement_confirmed", "p", "", "start"), fact("2026-03-01", "placement_ended", "p", "", "resigned")},
			"2026-06-01", domain.StageTakenInCharge, map[domain.Area]string{domain.Work: "none"}},
		{"placement ended after 3 months still counts", []domain.Entry{fact("2026-02-01", "placement_confirmed", "p", "", "start"), fact("2026-06-01", "placement_ended", "p", "", "completed")},
			"2026-07-01", domain.StageIntegrating, map[domain.Area]string{domain.Work: "achieved"}},
		{"unconfirmed placement is no work", []domain.Entry{fact("2026-02-01", "placement_started", "p", "", "")},
			"2026-09-01", domain.StageTakenInCharge, map[domain.Area]string{domain.Work: "in_progress"}},
		{"own lease", []domain.Entry{fact("2026-02-01", "housing_step_started", "s", "own_lease", "")}, "2026-02-02", domain.StageIntegrating,
			map[domain.Area]string{domain.Housing: "achieved"}},
		{"shelter", []domain.Entry{fact("2026-02-01", "housing_step_started", "s", "protected_shelter", "")}, "2026-02-02", domain.StageTakenInCharge,
			map[domain.Area]string{domain.Housing: "in_progress"}},
		{"converted permit", []domain.Entry{fact("2026-02-01", "permit_recorded", "", "work_employed", "special_cases_art18")}, "2026-02-02", domain.StageTakenInCharge,
			map[domain.Area]string{domain.Legal: "achieved"}},
		{"facts after the moment are ignored", []domain.Entry{fact("2026-02-01", "lease_signed", "s", "", "")}, "2026-01-31", domain.StageTakenInCharge,
			map[domain.Area]string{domain.Housing: "none"}},
		{"enrolled in an Italian course", []domain.Entry{fact("2026-02-01", "enrolled_in_course", "c1", "", "italian_l2")}, "2026-02-02", domain.StageLearning,
			map[domain.Area]string{domain.Italian: "in_progress"}},
		{"certificate at A2", []domain.Entry{fact("2026-02-01", "certificate_issued", "c1", "a2", "italian_l2")}, "2026-02-02", domain.StageLearning,
			map[domain.Area]string{domain.Italian: "achieved"}},
		{"enrolled in vocational training", []domain.Entry{fact("2026-02-01", "enrolled_in_training", "ed1", "3", "LZ-1")}, "2026-02-02", domain.StageLearning,
			map[domain.Area]string{domain.Training: "in_progress", domain.Italian: "none"}},
		{"a vocational lesson is training, not Italian", []domain.Entry{vocational("2026-02-02", "ed1", "l1", "present")}, "2026-02-03", domain.StageLearning,
			map[domain.Area]string{domain.Training: "in_progress", domain.Italian: "none"}},
		{"module, internship, exam: under way", []domain.Entry{fact("2026-03-01", "module_completed", "ed1", "m1", "theory"),
			fact("2026-04-01", "internship_hours", "ed1", "m3", ""), fact("2026-05-01", "exam_taken", "ed1", "78", "passed")},
			"2026-05-02", domain.StageLearning, map[domain.Area]string{domain.Training: "in_progress"}},
		{"qualification awarded", []domain.Entry{fact("2026-02-01", "enrolled_in_training", "ed1", "3", "LZ-1"), fact("2026-06-01", "qualification_awarded", "ed1", "3", "LZ-1")},
			"2026-06-02", domain.StageLearning, map[domain.Area]string{domain.Training: "achieved"}},
		{"competences certified", []domain.Entry{fact("2026-06-01", "competences_certified", "ed1", "", "LZ-1")},
			"2026-06-02", domain.StageLearning, map[domain.Area]string{domain.Training: "in_progress"}},
		{"withdrawn from the only edition", []domain.Entry{fact("2026-02-01", "enrolled_in_training", "ed1", "3", "LZ-1"), fact("2026-03-01", "training_withdrawn", "ed1", "", "work")},
			"2026-03-02", domain.StageTakenInCharge, map[domain.Area]string{domain.Training: "none"}},
		{"withdrawn from one of two editions", []domain.Entry{fact("2026-02-01", "enrolled_in_training", "ed1", "3", "LZ-1"),
			fact("2026-02-02", "enrolled_in_training", "ed2", "3", "LZ-2"), fact("2026-03-01", "training_withdrawn", "ed1", "", "work")},
			"2026-03-02", domain.StageLearning, map[domain.Area]string{domain.Training: "in_progress"}},
		{"withdrawal keeps certified competences", []domain.Entry{fact("2026-02-01", "enrolled_in_training", "ed1", "3", "LZ-1"),
			fact("2026-05-01", "competences_certified", "ed1", "", "LZ-1"), fact("2026-05-02", "training_withdrawn", "ed1", "", "moved")},
			"2026-05-03", domain.StageLearning, map[domain.Area]string{domain.Training: "in_progress"}},
		{"withdrawal does not undo a qualification", []domain.Entry{fact("2026-02-01", "qualification_awarded", "ed1", "3", "LZ-1"),
			fact("2026-03-01", "enrolled_in_training", "ed2", "4", "LZ-2"), fact("2026-04-01", "training_withdrawn", "ed2", "", "health")},
			"2026-04-02", domain.StageLearning, map[domain.Area]string{domain.Training: "achieved"}},
		{"all four: autonomous", []domain.Entry{
			fact("2026-01-01", "level_assessed", "a", "a2", "italian_l2"), fact("2026-01-02", "placement_confirmed", "p", "", "start"),
			fact("2026-01-03", "lease_signed", "s", "", ""), fact("2026-01-04", "permit_recorded", "", "work_employed", ""),
		}, "2026-04-02", domain.StageAutonomous, map[domain.Area]string{domain.Italian: "achieved", domain.Work: "achieved", domain.Housing: "achieved", domain.Legal: "achieved"}},
	} {
		a := r.Assess(tc.entries, on(tc.at))
		if a.Stage != tc.stage {
			t.Errorf("%s: stage %s, want %s", tc.name, a.Stage, tc.stage)
		}
		for _, s := range a.Areas {
			if want, ok := tc.status[s.Area]; ok && s.Status != want {
				t.Errorf("%s: %s is %s (%v), want %s", tc.name, s.Area, s.Status, s.Why, want)
			}
		}
	}
}

// The rules are configuration: a stricter deployment asks for B1.
func TestAssessConfigured(t *testing.T) {
	t.Parallel()
	r := domain.DefaultRules()
	r.ItalianLevel = "b1"
	r.Autonomous = []domain.Area{domain.Italian}
	entries := []domain.Entry{fact("2026-02-01", "level_assessed", "a", "a2", "italian_l2"), fact("2026-05-01", "level_assessed", "b", "b1", "italian_l2")}
	if a := r.Assess(entries, on("2026-03-01")); a.Stage != domain.StageLearning {
		t.Fatalf("A2 with B1 required: %s", a.Stage)
	}
	h := r.History(entries, on("2026-01-01"), on("2026-06-01"))
	var stages []domain.Stage
	for _, p := range h {
		stages = append(stages, p.Stage)
	}
	if want := []domain.Stage{domain.StageTakenInCharge, domain.StageLearning, domain.StageAutonomous}; !slices.Equal(stages, want) {
		t.Fatalf("history %v, want %v", stages, want)
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	r := domain.DefaultRules()
	art18 := func(until string) []domain.Permit {
		return []domain.Permit{{Kind: domain.PermitSpecialCases, ValidFrom: on("2026-01-01"), ValidUntil: on(until)}}
	}
	for _, tc := range []struct {
		name    string
		person  domain.Person
		entries []domain.Entry
		now     string
		raise   []string
		clear   []string
	}{
		{"three absences in a row", domain.Person{Since: on("2026-01-01")}, []domain.Entry{
			mark("2026-01-02", "c1", "l1", "absent"), mark("2026-01-03", "c1", "l2", "excused"), mark("2026-01-04", "c1", "l3", "absent"), mark("2026-01-05", "c1", "l4", "absent"),
		}, "2026-01-06", []string{"absence_streak:c1:l1"}, nil},
		{"absences broken by a presence", domain.Person{Since: on("2026-01-01")}, []domain.Entry{
			mark("2026-01-02", "c1", "l1", "absent"), mark("2026-01-03", "c1", "l2", "absent"), mark("2026-01-04", "c1", "l3", "present"), mark("2026-01-05", "c1", "l4", "absent"),
		}, "2026-01-06", nil, nil},
		{"absences in two classes do not add up", domain.Person{Since: on("2026-01-01")}, []domain.Entry{
			mark("2026-01-02", "c1", "l1", "absent"), mark("2026-01-03", "c2", "m1", "absent"), mark("2026-01-04", "c1", "l2", "absent"),
		}, "2026-01-06", nil, nil},
		{"already raised", domain.Person{Since: on("2026-01-01"), Alerts: []domain.Alert{{ID: "absence_streak:c1:l1", Kind: domain.AlertAbsenceStreak, ResolvedAt: on("2026-01-07")}}},
			[]domain.Entry{mark("2026-01-02", "c1", "l1", "absent"), mark("2026-01-03", "c1", "l2", "absent"), mark("2026-01-04", "c1", "l3", "absent")},
			"2026-01-08", nil, nil},
		{"permit ends in 50 days, attending a course", domain.Person{Since: on("2026-01-01"), Permits: art18("2026-03-01")},
			[]domain.Entry{mark("2026-01-09", "c1", "l1", "present")}, "2026-01-10", nil, nil},
		{"permit ends in 50 days, last lesson long ago", domain.Person{Since: on("2026-01-01"), Permits: art18("2026-04-01")},
			[]domain.Entry{mark("2026-01-09", "c1", "l1", "present"), fact("2026-02-10", "plan_updated", "", "", "")}, "2026-02-10",
			[]string{"permit_without_grounds:2026-04-01"}, nil},
		{"a confirmed placement clears it", domain.Person{Since: on("2026-01-01"), Permits: art18("2026-04-01"),
			Alerts: []domain.Alert{{ID: "permit_without_grounds:2026-04-01", Kind: domain.AlertPermitWithoutGrounds}}},
			[]domain.Entry{fact("2026-02-11", "placement_confirmed", "p", "", "start")}, "2026-02-12", nil, []string{"permit_without_grounds:2026-04-01"}},
		{"employer never confirmed", domain.Person{Since: on("2026-01-01")},
			[]domain.Entry{fact("2026-01-02", "placement_unconfirmed", "p1", "", "")}, "2026-01-03", []string{"placement_unconfirmed:p1"}, nil},
		{"exit to nowhere", domain.Person{Since: on("2026-01-01")},
			[]domain.Entry{fact("2026-01-02", "housing_exited", "s1", "semi_autonomy_flat", "unknown"), fact("2026-01-03", "housing_exited", "s2", "semi_autonomy_flat", "own_lease")},
			"2026-01-04", []string{"housing_exit_without_destination:s1"}, nil},
		{"45 days of silence", domain.Person{Since: on("2026-01-01")}, []domain.Entry{fact("2026-01-10", "plan_updated", "", "", "")},
			"2026-02-24", []string{"inactivity:2026-01-10"}, nil},
		{"an alert does not end the silence it reports", domain.Person{Since: on("2026-01-01"),
			Alerts: []domain.Alert{{ID: "inactivity:2026-01-10", Kind: domain.AlertInactivity}}},
			[]domain.Entry{fact("2026-01-10", "plan_updated", "", "", ""), fact("2026-02-24", "alert_raised", "inactivity:2026-01-10", "", "inactivity")},
			"2026-02-25", nil, nil},
		{"absences in a row in a vocational edition", domain.Person{Since: on("2026-01-01")}, []domain.Entry{
			vocational("2026-01-02", "ed1", "l1", "absent"), vocational("2026-01-03", "ed1", "l2", "absent"), vocational("2026-01-04", "ed1", "l3", "absent"),
		}, "2026-01-05", []string{"absence_streak:ed1:l1"}, nil},
		{"a corrected absence breaks the streak", domain.Person{Since: on("2026-01-01")}, []domain.Entry{
			mark("2026-01-02", "c1", "l1", "absent"), mark("2026-01-03", "c1", "l2", "absent"), mark("2026-01-04", "c1", "l3", "absent"),
			correct("2026-01-04", "c1", "l2", "present"),
		}, "2026-01-05", nil, nil},
		{"a corrected presence makes one", domain.Person{Since: on("2026-01-01")}, []domain.Entry{
			mark("2026-01-02", "c1", "l1", "absent"), mark("2026-01-03", "c1", "l2", "present"), mark("2026-01-04", "c1", "l3", "absent"),
			correct("2026-01-05", "c1", "l2", "absent"),
		}, "2026-01-06", []string{"absence_streak:c1:l1"}, nil},
		{"permit ends in 50 days, in an internship", domain.Person{Since: on("2026-01-01"), Permits: art18("2026-03-01")},
			[]domain.Entry{withMinutes(fact("2026-01-09", "internship_hours", "ed1", "m3", ""), 240)}, "2026-01-10", nil, nil},
		{"permit ends in 50 days, withdrawn from training", domain.Person{Since: on("2026-01-01"), Permits: art18("2026-03-01")},
			[]domain.Entry{vocational("2026-01-08", "ed1", "l1", "present"), fact("2026-01-09", "training_withdrawn", "ed1", "", "work")}, "2026-01-10",
			[]string{"permit_without_grounds:2026-03-01"}, nil},
		{"withdrawn from the course", domain.Person{Since: on("2026-01-01"), Permits: art18("2026-03-01")},
			[]domain.Entry{mark("2026-01-08", "c1", "l1", "present"), fact("2026-01-09", "course_withdrawn", "c1", "work", "italian_l2")}, "2026-01-10",
			[]string{"permit_without_grounds:2026-03-01"}, nil},
		{"taken in charge long ago, recorded today: no silence", domain.Person{Since: on("2025-06-01"), RecordedAt: on("2026-01-10")},
			nil, "2026-01-10", nil, nil},
		{"closed pathways raise nothing", domain.Person{Since: on("2026-01-01"), Closed: &domain.Closing{Reason: "dropped_out"}}, nil, "2026-12-01", nil, nil},
	} {
		raise, clear := r.Check(&tc.person, tc.entries, on(tc.now))
		var ids []string
		for _, a := range raise {
			ids = append(ids, a.ID)
		}
		if !slices.Equal(ids, tc.raise) || !slices.Equal(clear, tc.clear) {
			t.Errorf("%s: raise %v clear %v, want %v %v", tc.name, ids, clear, tc.raise, tc.clear)
		}
	}
}

func TestMostUrgent(t *testing.T) {
	t.Parallel()
	alerts := []domain.Alert{
		{Kind: domain.AlertInactivity},
		{Kind: domain.AlertHousingExit, ResolvedAt: on("2026-01-02")},
		{Kind: domain.AlertPermitWithoutGrounds},
		{Kind: domain.AlertAbsenceStreak},
	}
	if n, kind := domain.MostUrgent(alerts); n != 3 || kind != domain.AlertPermitWithoutGrounds {
		t.Fatalf("MostUrgent = %d %s, want 3 permit_without_grounds", n, kind)
	}
	if n, kind := domain.MostUrgent(alerts[1:2]); n != 0 || kind != "" {
		t.Fatalf("MostUrgent of resolved alerts = %d %q", n, kind)
	}
}

func withMinutes(e domain.Entry, min int) domain.Entry {
	e.Fact.Minutes = min
	return e
}

// A correction's mark takes the place of the lesson's first one.
func TestEffective(t *testing.T) {
	t.Parallel()
	entries := []domain.Entry{mark("2026-01-02", "c1", "l1", "absent"), mark("2026-01-03", "c1", "l2", "absent"),
		fact("2026-01-04", "plan_updated", "", "", ""), correct("2026-01-05", "c1", "l1", "late"), correct("2026-01-06", "c1", "l1", "present")}
	got := domain.Effective(entries)
	var marks []string
	for _, e := range got {
		if a := e.Attendance; a != nil {
			marks = append(marks, e.OccurredAt.Format(time.DateOnly)+" "+a.LessonID+" "+a.Status)
		}
	}
	if want := []string{"2026-01-02 l1 present", "2026-01-03 l2 absent"}; len(got) != 3 || !slices.Equal(marks, want) {
		t.Fatalf("effective marks %v, want %v", marks, want)
	}
	if entries[0].Attendance.Status != "absent" {
		t.Fatal("Effective changed its input")
	}
}

// A closed pathway is assessed at the end of its closing day, whatever
// the hour of the facts of that day.
func TestAssessedAt(t *testing.T) {
	t.Parallel()
	now := on("2026-08-01")
	open := domain.Person{}
	closed := domain.Person{Closed: &domain.Closing{On: on("2026-06-30")}}
	today := domain.Person{Closed: &domain.Closing{On: on("2026-08-01")}}
	for _, tc := range []struct {
		p    domain.Person
		want time.Time
	}{
		{open, now}, {closed, on("2026-07-01").Add(-time.Nanosecond)}, {today, now},
	} {
		if got := tc.p.AssessedAt(now); !got.Equal(tc.want) {
			t.Errorf("AssessedAt of %+v = %s, want %s", tc.p.Closed, got, tc.want)
		}
	}
}

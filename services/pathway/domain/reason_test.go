package domain_test

import (
	"testing"
	"time"

	"github.com/percorsi/percorsi/services/pathway/domain"
)

// The assessment says why with a code and the facts it names, never with
// words: the transport puts them in the reader's language.
func TestAssessReasons(t *testing.T) {
	t.Parallel()
	r := domain.DefaultRules()
	permit := fact("2026-01-10", "permit_recorded", "", "special_cases_art18", "")
	permit.Fact.Until = on("2026-07-09")
	for _, tc := range []struct {
		name    string
		entries []domain.Entry
		at      string
		area    domain.Area
		want    domain.Reason
	}{
		{"nothing", nil, "2026-01-01", domain.Italian, domain.Reason{}},
		{"attending", []domain.Entry{mark("2026-01-05", "c1", "l1", "present")}, "2026-01-06", domain.Italian,
			domain.Reason{Code: domain.ReasonAttendingCourse, On: on("2026-01-05"), Detail: "italian_l2"}},
		{"CEFR reached", []domain.Entry{fact("2026-03-02", "level_assessed", "a", "b1", "italian_l2")}, "2026-03-03", domain.Italian,
			domain.Reason{Code: domain.ReasonCEFRReached, On: on("2026-03-02"), Level: "b1", Want: "a2"}},
		{"CEFR below", []domain.Entry{fact("2026-03-02", "level_assessed", "a", "a1", "italian_l2")}, "2026-03-03", domain.Italian,
			domain.Reason{Code: domain.ReasonCEFRBelow, On: on("2026-03-02"), Level: "a1", Want: "a2"}},
		{"DigComp below", []domain.Entry{fact("2026-03-02", "level_assessed", "a", "2", "digital")}, "2026-03-03", domain.Digital,
			domain.Reason{Code: domain.ReasonDigCompBelow, On: on("2026-03-02"), Level: "2", Want: "3"}},
		{"exam", []domain.Entry{fact("2026-05-01", "exam_taken", "ed1", "78", "passed")}, "2026-05-02", domain.Training,
			domain.Reason{Code: domain.ReasonExamTaken, On: on("2026-05-01")}},
		{"placement under way", []domain.Entry{fact("2026-02-01", "placement_confirmed", "p", "", "start")}, "2026-03-01", domain.Work,
			domain.Reason{Code: domain.ReasonPlacementConfirmed, On: on("2026-02-01"), Months: 3, Until: on("2026-05-01")}},
		{"placement lasted", []domain.Entry{fact("2026-02-01", "placement_confirmed", "p", "", "start")}, "2026-05-01", domain.Work,
			domain.Reason{Code: domain.ReasonPlacementLasted, On: on("2026-02-01"), Months: 3, Until: on("2026-05-01")}},
		{"housing step", []domain.Entry{fact("2026-02-01", "housing_step_started", "s", "protected_shelter", "")}, "2026-02-02", domain.Housing,
			domain.Reason{Code: domain.ReasonHousingStep, On: on("2026-02-01"), Level: "protected_shelter"}},
		{"art. 18 permit until", []domain.Entry{permit}, "2026-01-11", domain.Legal,
			domain.Reason{Code: domain.ReasonPermitUntil, On: on("2026-01-10"), Level: "special_cases_art18", Until: on("2026-07-09")}},
		{"stable permit", []domain.Entry{fact("2026-02-01", "permit_recorded", "", "work_employed", "")}, "2026-02-02", domain.Legal,
			domain.Reason{Code: domain.ReasonPermit, On: on("2026-02-01"), Level: "work_employed"}},
	} {
		for _, s := range r.Assess(tc.entries, on(tc.at)).Areas {
			if s.Area == tc.area && s.Why != tc.want {
				t.Errorf("%s: %s because %+v, want %+v", tc.name, s.Area, s.Why, tc.want)
			}
		}
	}
}

func TestGroundsReasons(t *testing.T) {
	t.Parallel()
	r := domain.DefaultRules()
	for _, tc := range []struct {
		name    string
		entries []domain.Entry
		ok      bool
		want    domain.Reason
	}{
		{"nothing", nil, false, domain.Reason{Code: domain.ReasonNoGrounds}},
		{"work", []domain.Entry{fact("2026-02-01", "placement_confirmed", "p", "", "start")}, true,
			domain.Reason{Code: domain.ReasonGroundsWork, On: on("2026-02-01")}},
		{"study", []domain.Entry{mark("2026-02-20", "c1", "l1", "present")}, true,
			domain.Reason{Code: domain.ReasonGroundsStudy, On: on("2026-02-20")}},
	} {
		ok, why := r.Grounds(tc.entries, on("2026-03-01").Add(12*time.Hour))
		if ok != tc.ok || why != tc.want {
			t.Errorf("%s: %v %+v, want %v %+v", tc.name, ok, why, tc.ok, tc.want)
		}
	}
}

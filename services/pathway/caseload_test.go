package pathway_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	coursesv1 "github.com/percorsi/percorsi/proto/percorsi/courses/v1"
	housingv1 "github.com/percorsi/percorsi/proto/percorsi/housing/v1"
	registerv1 "github.com/percorsi/percorsi/proto/percorsi/register/v1"
	"github.com/percorsi/percorsi/services/pathway"
)

// A case worker's caseload: their organisation's open pathways only, the
// open alerts first (most urgent first), then by permit expiry; never a
// legal name; nobody but case workers may ask.
func TestCaseload(t *testing.T) {
	r := newRig(t)
	permit := func(ps, kind, until string) {
		t.Helper()
		if status := r.do("POST", "/v1/persons/"+ps+"/permits", "cw1", map[string]any{"kind": kind, "valid_from": "2026-01-01", "valid_until": until}, nil); status != 200 {
			t.Fatalf("permit of %s: %d", ps, status)
		}
	}
	alba := r.intake("cw1", "Alba", "2026-01-05").Pseudonym
	bruna := r.intake("cw1", "Bruna", "2026-01-06").Pseudonym
	chiara := r.intake("cw1", "Chiara", "2026-01-07").Pseudonym
	dora := r.intake("cw1", "Dora", "2026-01-08").Pseudonym
	closed := r.intake("cw1", "Xenia", "2026-01-08").Pseudonym
	elena := r.intake("cw2", "Elena", "2026-01-09").Pseudonym

	// Alba's art. 18 permit ends within 60 days with no grounds: an alert.
	r.clock.Set(day("2026-01-12"))
	permit(alba, "special_cases_art18", "2026-02-20")
	permit(bruna, "special_cases_art18", "2026-09-01")
	permit(dora, "study", "2026-06-01")
	// Chiara left her shelter for nowhere: the most urgent alert.
	r.clock.Set(day("2026-01-20"))
	r.publish(pathway.HousingTopic, "h1", chiara, day("2026-01-15"), &housingv1.HousingExited{LastStepId: "s1",
		LastKind: housingv1.StepKind_STEP_KIND_PROTECTED_SHELTER, Destination: housingv1.Destination_DESTINATION_UNKNOWN, ExitedAt: timestamppb.New(day("2026-01-15"))})
	// Bruna attends a course: learning, active on the day of the lesson.
	r.publish(pathway.CoursesTopic, "a1", bruna, day("2026-01-18"), &coursesv1.AttendanceRecorded{LessonId: "l1", ClassId: "c1",
		CourseKind: coursesv1.CourseKind_COURSE_KIND_ITALIAN_L2, LessonStart: timestamppb.New(day("2026-01-18")), LessonMinutes: 120,
		Status: registerv1.AttendanceStatus_ATTENDANCE_STATUS_PRESENT, MinutesAttended: 120})
	if status := r.do("POST", "/v1/persons/"+closed+"/close", "cw1", map[string]any{"reason": "dropped_out"}, nil); status != 200 {
		t.Fatalf("close: %d", status)
	}

	type row struct {
		Name, Stage, Urgent, Permit, Until, Last string
		Alerts                                   int
	}
	caseload := func(user string) ([]row, string) {
		var body string
		if status := r.do("GET", "/v1/persons", user, nil, &body); status != 200 {
			t.Fatalf("caseload of %s: %d", user, status)
		}
		var got struct{ Persons []pathway.CaseloadJSON }
		r.do("GET", "/v1/persons", user, nil, &got)
		var rows []row
		for _, p := range got.Persons {
			rows = append(rows, row{p.DisplayName, p.Stage, p.MostUrgent, p.PermitKind, p.PermitUntil, p.LastActivity.Format(time.DateOnly), p.OpenAlerts})
		}
		return rows, body
	}
	// Last activity: the latest fact, a permit recorded by the case worker
	// included, an alert not.
	want := []row{
		{"Chiara", "taken_in_charge", "housing_exit_without_destination", "", "", "2026-01-15", 1},
		{"Alba", "taken_in_charge", "permit_without_grounds", "special_cases_art18", "2026-02-20", "2026-01-12", 1},
		{"Dora", "taken_in_charge", "", "study", "2026-06-01", "2026-01-12", 0},
		{"Bruna", "learning", "", "special_cases_art18", "2026-09-01", "2026-01-18", 0},
	}
	var got []row
	var body string
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if got, body = caseload("cw1"); slices.Equal(got, want) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("caseload of org1:\n%+v\nwant\n%+v", got, want)
		}
	}
	if strings.Contains(body, "legal") || strings.Contains(body, elena) || strings.Contains(body, closed) {
		t.Errorf("the caseload shows a legal name, another organisation's or a closed pathway: %s", body)
	}
	if got, _ := caseload("cw2"); len(got) != 1 || got[0].Name != "Elena" {
		t.Errorf("caseload of org2: %+v", got)
	}
	// A transfer accepted moves Dora from one caseload to the other.
	if status := r.do("POST", "/v1/persons/"+dora+"/transfers", "cw1", map[string]any{"to_organisation": "org2", "reason": "safety"}, nil); status != 200 {
		t.Fatalf("transfer: %d", status)
	}
	if status := r.do("POST", "/v1/persons/"+dora+"/transfers/t1/accept", "cw2", nil, nil); status != 200 {
		t.Fatalf("accept: %d", status)
	}
	if got, _ := caseload("cw2"); len(got) != 2 || got[0].Name != "Dora" || got[1].Name != "Elena" {
		t.Errorf("caseload of org2 after the transfer: %+v", got)
	}
	if got, _ := caseload("cw1"); len(got) != 3 || slices.ContainsFunc(got, func(x row) bool { return x.Name == "Dora" }) {
		t.Errorf("caseload of org1 after the transfer: %+v", got)
	}
	for _, user := range []string{"teacher", "monitor"} {
		if status := r.do("GET", "/v1/persons", user, nil, nil); status != http.StatusForbidden {
			t.Errorf("%s read a caseload: %d", user, status)
		}
	}
}

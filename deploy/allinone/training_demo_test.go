package allinone_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/percorsi/percorsi/deploy/allinone"
	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/services/training"
)

// The training demo: franco.marino sees his kitchen-assistant edition with
// four people, the registers of the lessons held counted in their minutes,
// the theory module closed and Amina K.'s internship at the host
// restaurant; another trainer's token does not open it. Starting again on
// the same data changes nothing.
func TestTrainingDemo(t *testing.T) {
	dir := t.TempDir()
	var first []training.EnrolmentJSON
	for run := range 2 {
		sys, err := allinone.Start(t.Context(), allinone.Config{Dir: dir, Demo: true, NoTableScan: true})
		if err != nil {
			t.Fatal(err)
		}
		d := sys.Demo.Training
		var view training.EditionViewResponse
		url := sys.TrainingURL + "/v1/editions/" + d.EditionID
		if status := do(t, http.MethodGet, url, sys.Demo.Tokens[d.Trainer], "", &view); status != http.StatusOK {
			t.Fatalf("run %d: edition status %d", run, status)
		}
		roster := view.Edition.Roster
		if len(roster) != 4 || view.Course.EQFLevel != 3 || view.Course.Region != "Lazio" || len(view.Edition.ClosedModules) != 1 {
			t.Fatalf("run %d: edition %+v", run, view.Edition)
		}
		for _, en := range roster {
			if *en.MinutesAttended == 0 || en.DisplayName == "" {
				t.Fatalf("run %d: %+v has no attendance", run, en)
			}
		}
		if p := roster[0].Internship; roster[0].Person != d.Intern || p == nil || p.HostName != "Trattoria da Gino" || p.MinutesDone == 0 {
			t.Fatalf("run %d: internship %+v", run, roster[0])
		}
		if run == 1 && *roster[0].MinutesAttended != *first[0].MinutesAttended {
			t.Fatalf("second start changed the demo: %d then %d minutes", *first[0].MinutesAttended, *roster[0].MinutesAttended)
		}
		first = roster
		if status := do(t, http.MethodGet, url, sys.Demo.Tokens["maria.rossi"], "", nil); status != http.StatusForbidden {
			t.Fatalf("run %d: a CPIA teacher opened the edition: %d", run, status)
		}
		if err := sys.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// A qualification awarded in training reaches the person's candidate
// profile in jobs with its ESCO skills, over Kafka, so that jobs can match
// on it.
func TestQualificationReachesJobs(t *testing.T) {
	sys, err := allinone.Start(t.Context(), allinone.Config{Dir: t.TempDir(), Demo: true, NoTableScan: true})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := sys.Close(); err != nil {
			t.Error(err)
		}
	}()
	coord, err := sys.Issuer.Issue(auth.Principal{Subject: "coord-test", Role: auth.Coordinator, Organisation: "cfp-lazio-ristorazione"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	amina, now := sys.Demo.People[0].Pseudonym, time.Now().UTC()
	steps := []struct {
		method, path, body string
		status             int
	}{
		{"PUT", "/v1/courses/crs-test", `{"title":"Coltelli","repertoire_code":"LAZ-TEST-01","region":"Lazio","sector":"ristorazione","provider":"cfp-lazio-ristorazione","eqf_level":2,
			"modules":[{"id":"m","title":"Tecnica","kind":"practice","hours":1}],"units":[{"code":"U1","title":"Taglio","esco_skills":["esco:knife-skills"]}]}`, 200},
		{"PUT", "/v1/editions/ed-test", fmt.Sprintf(`{"course_id":"crs-test","trainers":["franco.marino"],"start":%q,"end":%q,"lessons":[{"id":"lt1","module_id":"m","start":%q,"minutes":60}]}`,
			now.AddDate(0, 0, -1).Format(time.RFC3339), now.AddDate(0, 1, 0).Format(time.RFC3339), now.Add(-2*time.Hour).Format(time.RFC3339)), 201},
		{"POST", "/v1/editions/ed-test/enrolments", fmt.Sprintf(`{"person":%q,"display_name":"Amina K."}`, amina), 200},
		{"PUT", "/v1/lessons/lt1/register", fmt.Sprintf(`{"marks":[{"person":%q,"status":"present"}]}`, amina), 201},
		{"POST", "/v1/editions/ed-test/exam", fmt.Sprintf(`{"held_on":%q,"results":[{"person":%q,"outcome":"passed","score":90}]}`, now.Format(time.DateOnly), amina), 200},
	}
	for _, s := range steps {
		if status := do(t, s.method, sys.TrainingURL+s.path, coord, s.body, nil); status != s.status {
			t.Fatalf("%s %s: %d, want %d", s.method, s.path, status, s.status)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		var profile map[string]any
		if status := do(t, http.MethodGet, sys.JobsURL+"/v1/profiles/"+amina, sys.Demo.Tokens["elena.ferri"], "", &profile); status != http.StatusOK {
			t.Fatalf("profile: %d", status)
		}
		got := fmt.Sprint(profile)
		if strings.Contains(got, "LAZ-TEST-01") && strings.Contains(got, "esco:knife-skills") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the qualification never reached jobs: %s", got)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

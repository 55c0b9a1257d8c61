package allinone_test

import (
	"net/http"
	"testing"

	"github.com/percorsi/percorsi/deploy/allinone"
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
		sys, err := allinone.Start(t.Context(), allinone.Config{Dir: dir, Demo: true})
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

package allinone_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/percorsi/percorsi/deploy/allinone"
	"github.com/percorsi/percorsi/services/jobs"
)

// The jobs demo: the counsellor ranks the trattoria's candidates with
// Amina K. first, the employer confirms her start through its link, once,
// and on the next start sees the placement confirmed from its account.
// Mariam S.'s one-month follow-up is due from the first start on.
func TestJobsDemo(t *testing.T) {
	dir := t.TempDir()
	for run := range 2 {
		sys, err := allinone.Start(t.Context(), allinone.Config{Dir: dir, Demo: true, NoTableScan: true})
		if err != nil {
			t.Fatal(err)
		}
		d := sys.Demo
		var rk jobs.CandidatesResponse
		if status := do(t, http.MethodGet, sys.JobsURL+"/v1/vacancies/"+d.Jobs.CookVacancyID+"/candidates", d.Tokens["elena.ferri"], "", &rk); status != http.StatusOK ||
			len(rk.Candidates) == 0 || rk.Candidates[0].Person != d.People[0].Pseudonym || rk.Considered != 8 || rk.ExcludedBy["work_permit"] != 2 {
			t.Fatalf("run %d: ranking %d %+v", run, status, rk)
		}
		var due jobs.PlacementJSON
		if status := do(t, http.MethodGet, sys.JobsURL+"/v1/placements/"+d.Jobs.FollowUpPlacementID, d.Tokens["elena.ferri"], "", &due); status != http.StatusOK ||
			due.DisplayName != "Mariam S." || due.Status != "confirmed" || !slices.Contains(due.DueFollowUps, 1) {
			t.Fatalf("run %d: the placement with a follow-up due: %d %+v", run, status, due)
		}
		if run == 0 {
			var view jobs.PlacementJSON
			if status := do(t, http.MethodGet, sys.JobsURL+d.Jobs.EmployerLink, "", "", &view); status != http.StatusOK || view.DisplayName != "Amina K." || view.Person != "" {
				t.Fatalf("employer link view %d %+v", status, view)
			}
			body := `{"token":"` + tokenOf(d.Jobs.EmployerLink) + `","on":"` + time.Now().UTC().Format(time.DateOnly) + `","weekly_hours":30}`
			for i, want := range []int{http.StatusOK, http.StatusConflict} {
				if status := do(t, http.MethodPost, sys.JobsURL+"/v1/employer-links/"+d.Jobs.PlacementID, "", body, nil); status != want {
					t.Fatalf("confirmation %d: %d, want %d", i, status, want)
				}
			}
		} else if d.Jobs.EmployerLink != "" {
			t.Fatalf("a confirmed placement got a new start link")
		}
		var pl jobs.PlacementJSON
		if status := do(t, http.MethodGet, sys.JobsURL+"/v1/placements/"+d.Jobs.PlacementID, d.Tokens["gino.esposito"], "", &pl); status != http.StatusOK || pl.Status != "confirmed" || pl.Person != "" {
			t.Fatalf("run %d: employer account view %d %+v", run, status, pl)
		}
		if err := sys.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func tokenOf(link string) string {
	_, token, _ := strings.Cut(link, "?token=")
	return token
}

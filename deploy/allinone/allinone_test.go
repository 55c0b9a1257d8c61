package allinone_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	"github.com/percorsi/percorsi/deploy/allinone"
	jobsv1 "github.com/percorsi/percorsi/proto/percorsi/jobs/v1"
	pathwayv1 "github.com/percorsi/percorsi/proto/percorsi/pathway/v1"
	"github.com/percorsi/percorsi/services/pathway"
)

// What the README promises: `make run` starts everything with demo data;
// the teacher's register for today's lesson reaches the case worker's
// timeline; a case worker of another organisation is refused.
func TestDemoFlow(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	sys, err := allinone.Start(ctx, allinone.Config{Dir: dir, Demo: true, NoTableScan: true})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := sys.Close(); err != nil {
			t.Error(err)
		}
	}()
	d := sys.Demo
	var marks []string
	for _, p := range d.People {
		marks = append(marks, fmt.Sprintf(`{"person":%q,"status":"present"}`, p.Pseudonym))
	}
	status := do(t, http.MethodPut, sys.CoursesURL+"/v1/lessons/"+d.TodayLessonID+"/register", d.Tokens["maria.rossi"], `{"marks":[`+strings.Join(marks, ",")+`]}`, nil)
	if status != http.StatusCreated {
		t.Fatalf("register: status %d", status)
	}

	amina := d.People[0].Pseudonym
	deadline := time.Now().Add(30 * time.Second)
	for {
		var tl pathway.TimelineResponse
		if status := do(t, http.MethodGet, sys.PathwayURL+"/v1/persons/"+amina+"/timeline", d.Tokens["giulia.bianchi"], "", &tl); status != http.StatusOK {
			t.Fatalf("timeline: status %d", status)
		}
		// The timeline holds every service's facts: find today's mark.
		i := slices.IndexFunc(tl.Entries, func(e pathway.EntryJSON) bool {
			return e.Attendance != nil && e.Attendance.LessonID == d.TodayLessonID
		})
		if i >= 0 {
			if !strings.HasPrefix(tl.Entries[i].Text, "Presente alla lezione di Italiano L2") {
				t.Fatalf("entry text %q", tl.Entries[i].Text)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("today's register never reached the timeline: %d entries", len(tl.Entries))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if status := do(t, http.MethodGet, sys.PathwayURL+"/v1/persons/"+amina+"/timeline", d.Tokens["luca.verdi"], "", nil); status != http.StatusForbidden {
		t.Fatalf("another organisation's case worker: status %d", status)
	}

	// The services serve gRPC beside HTTP: jobs answers with the demo's vacancy.
	conn, err := grpc.NewClient(sys.GRPCAddrs["jobs"], grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	counsellor := metadata.NewOutgoingContext(ctx, metadata.Pairs("authorization", "Bearer "+d.Tokens["elena.ferri"]))
	v, err := jobsv1.NewJobsServiceClient(conn).GetVacancy(counsellor, &jobsv1.GetVacancyRequest{Id: d.Jobs.CookVacancyID})
	if err != nil || v.Vacancy.GetId() != d.Jobs.CookVacancyID {
		t.Fatalf("jobs over gRPC: %v %v", v, err)
	}
	pconn, err := grpc.NewClient(sys.GRPCAddrs["pathway"], grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer pconn.Close()
	caseWorker := metadata.NewOutgoingContext(ctx, metadata.Pairs("authorization", "Bearer "+d.Tokens["giulia.bianchi"]))
	if tl, err := pathwayv1.NewPathwayServiceClient(pconn).Timeline(caseWorker, &pathwayv1.TimelineRequest{Pseudonym: amina, Lang: "en"}); err != nil || tl.Person.GetPseudonym() != amina || len(tl.Entries) == 0 {
		t.Fatalf("pathway over gRPC: %v %v", tl, err)
	}
	for _, name := range []string{"courses", "training", "jobs", "housing", "pathway"} {
		if sys.GRPCAddrs[name] == "" {
			t.Errorf("%s serves no gRPC", name)
		}
	}
}

func do(t *testing.T, method, url, token, body string, out any) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode
}

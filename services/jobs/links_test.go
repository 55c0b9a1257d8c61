package jobs_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/percorsi/percorsi/services/jobs"
	"github.com/percorsi/percorsi/services/jobs/domain"
)

// placeTwo gives ps-1 and ps-2 accepted proposals for the cook vacancy
// and starts both placements; it returns their start responses.
func (f *fixture) placeTwo(t *testing.T) (jobs.StartedResponse, jobs.StartedResponse) {
	t.Helper()
	f.seedEmployers(t)
	var vac jobs.VacancyJSON
	f.must(t, "counsellor", "POST", "/v1/vacancies", cookVacancy, 201, &vac)
	var out [2]jobs.StartedResponse
	for i, p := range []string{"ps-1", "ps-2"} {
		err := f.app.Service.ApplyFact(t.Context(), &jobs.ProfileFact{
			EventID: "permit-" + p, Person: p, OccurredAt: today.AddDate(0, -1, 0),
			Permit: &domain.Permit{Known: true, MayWork: true, ValidUntil: today.AddDate(1, 0, 0)},
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.app.Service.ApplyFact(t.Context(), &jobs.ProfileFact{EventID: "level-" + p, Person: p, OccurredAt: today.AddDate(0, 0, -1), Italian: domain.B1}); err != nil {
			t.Fatal(err)
		}
		f.must(t, "counsellor", "PUT", "/v1/profiles/"+p, profileBody("Persona "+p, `{"code":"esco:prepare-food","evidence":"assessed"}`), 200, nil)
		var prop jobs.ProposalJSON
		f.must(t, "counsellor", "POST", "/v1/proposals", `{"person":"`+p+`","vacancy_id":"`+vac.ID+`"}`, 201, &prop)
		f.must(t, "counsellor", "POST", "/v1/proposals/"+prop.ID+"/interview", `{"held_on":"2027-03-01","outcome":"accepted"}`, 200, nil)
		f.must(t, "counsellor", "POST", "/v1/proposals/"+prop.ID+"/placement",
			`{"starts_on":"2027-03-08","ends_on":"2027-09-07","weekly_hours":30,"monthly_allowance_cents":80000,"duration_months":6}`, 201, &out[i])
	}
	return out[0], out[1]
}

// TestEmployerLinksRefused checks that a link that is expired, reused,
// tampered, replaced, or for another placement is refused and changes
// nothing: not the placement, not its events.
func TestEmployerLinksRefused(t *testing.T) {
	f := start(t)
	pl1, pl2 := f.placeTwo(t)
	id1, id2 := pl1.Placement.ID, pl2.Placement.ID
	tok1, tok2 := tokenOf(t, pl1.EmployerLink), tokenOf(t, pl2.EmployerLink)
	f.clock.set(today.AddDate(0, 0, 8)) // after the start

	// Replace pl2's link: the first one stops working.
	var issued map[string]string
	f.must(t, "counsellor", "POST", "/v1/placements/"+id2+"/links", `{"purpose":"start"}`, 201, &issued)
	replaced, tok2 := tok2, tokenOf(t, issued["employer_link"])

	// Use pl1's link once, so that it is spent.
	f.must(t, "", "POST", "/v1/employer-links/"+id1, `{"token":"`+tok1+`","on":"2027-03-08","weekly_hours":30}`, 200, nil)
	if _, err := f.app.Relay.Drain(t.Context()); err != nil {
		t.Fatal(err)
	}
	before1, _ := f.app.Placements.Get(t.Context(), id1)
	before2, _ := f.app.Placements.Get(t.Context(), id2)

	tampered := []byte(tok2)
	tampered[len(tampered)/3] ^= 1 // one bit of the payload
	payload2, _, _ := strings.Cut(tok2, ".")
	_, sig1, _ := strings.Cut(tok1, ".")

	cases := []struct {
		name      string
		placement string
		token     string
		at        time.Time
		status    int
	}{
		{"reused", id1, tok1, today.AddDate(0, 0, 8), 409},
		{"expired", id2, tok2, today.AddDate(0, 0, 8).Add(jobs.DefaultConfig.LinkTTL), 403},
		{"tampered", id2, string(tampered), today.AddDate(0, 0, 8), 403},
		{"another link's signature", id2, payload2 + "." + sig1, today.AddDate(0, 0, 8), 403},
		{"another placement's link", id2, tok1, today.AddDate(0, 0, 8), 403},
		{"replaced by a newer link", id2, replaced, today.AddDate(0, 0, 8), 403},
		{"no token", id2, "", today.AddDate(0, 0, 8), 403},
		{"unknown placement", "nope", tok2, today.AddDate(0, 0, 8), 403},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f.clock.set(tc.at)
			defer f.clock.set(today.AddDate(0, 0, 8))
			body := `{"token":"` + tc.token + `","on":"2027-03-08","weekly_hours":30}`
			if status, e := f.do(t, "", "POST", "/v1/employer-links/"+tc.placement, body, nil); status != tc.status || e.Error.Field != "token" {
				t.Fatalf("confirm: %d %+v, want %d naming token", status, e.Error, tc.status)
			}
			if status, _ := f.do(t, "", "GET", "/v1/employer-links/"+tc.placement+"?token="+tc.token, "", nil); status != tc.status {
				t.Fatalf("view: %d, want %d", status, tc.status)
			}
		})
	}
	after1, _ := f.app.Placements.Get(t.Context(), id1)
	after2, _ := f.app.Placements.Get(t.Context(), id2)
	if after1.Version != before1.Version || after2.Version != before2.Version || after2.Status != domain.AwaitingConfirmation || after2.Link.Used {
		t.Fatalf("refused links changed placements: %d->%d, %d->%d %s", before1.Version, after1.Version, before2.Version, after2.Version, after2.Status)
	}
	if n, err := f.app.Relay.Drain(t.Context()); err != nil || n != 0 {
		t.Fatalf("refused links left %d events (%v)", n, err)
	}
	// The valid link still works, once.
	f.must(t, "", "POST", "/v1/employer-links/"+id2, `{"token":"`+tok2+`","on":"2027-03-09","weekly_hours":25}`, 200, nil)
	if got, _ := f.app.Placements.Get(t.Context(), id2); got.Status != domain.Confirmed || got.WeeklyHours != 25 {
		t.Fatalf("confirmed placement %+v", got)
	}
}

// TestEmployerLinkDoubleClick sends one link's confirmation many times at
// once: exactly one is applied, with one event.
func TestEmployerLinkDoubleClick(t *testing.T) {
	f := start(t)
	pl1, _ := f.placeTwo(t)
	f.clock.set(today.AddDate(0, 0, 8))
	if _, err := f.app.Relay.Drain(t.Context()); err != nil {
		t.Fatal(err)
	}
	body := `{"token":"` + tokenOf(t, pl1.EmployerLink) + `","on":"2027-03-08","weekly_hours":30}`
	var wg sync.WaitGroup
	statuses := make([]int, 8)
	for i := range statuses {
		wg.Go(func() { statuses[i], _ = f.do(t, "", "POST", "/v1/employer-links/"+pl1.Placement.ID, body, nil) })
	}
	wg.Wait()
	ok := 0
	for _, s := range statuses {
		switch s {
		case 200:
			ok++
		case 409:
		default:
			t.Fatalf("statuses %v", statuses)
		}
	}
	if ok != 1 {
		t.Fatalf("%d confirmations applied (%v), want 1", ok, statuses)
	}
	if n, err := f.app.Relay.Drain(t.Context()); err != nil || n != 1 {
		t.Fatalf("%d events (%v), want one PlacementConfirmed", n, err)
	}
}

func TestBadInputIsRefusedNamingTheField(t *testing.T) {
	f := start(t)
	f.seedEmployers(t)
	cases := []struct {
		name, user, method, path, body string
		status                         int
		field                          string
	}{
		{"no token", "", "PUT", "/v1/profiles/ps-9", profileBody("A", ""), 401, "authorization"},
		{"a teacher", "teacher", "PUT", "/v1/profiles/ps-9", profileBody("A", ""), 403, ""},
		{"an employer edits a profile", "employer", "PUT", "/v1/profiles/ps-9", profileBody("A", ""), 403, ""},
		{"malformed JSON", "counsellor", "PUT", "/v1/profiles/ps-9", `{"display_name":`, 400, "body"},
		{"unknown field", "counsellor", "PUT", "/v1/profiles/ps-9", `{"display_name":"A","address":"Via Roma 1"}`, 400, "address"},
		{"skill of the wrong type", "counsellor", "PUT", "/v1/profiles/ps-9", profileBody("A", `{"code":"s1","evidence":"declared"},{"code":7,"evidence":"declared"}`), 400, "skills[1].code"},
		{"self-certified skill", "counsellor", "PUT", "/v1/profiles/ps-9", profileBody("A", `{"code":"s1","evidence":"certified"}`), 400, "skills[0].evidence"},
		{"unknown evidence", "counsellor", "PUT", "/v1/profiles/ps-9", profileBody("A", `{"code":"s1","evidence":"rumour"}`), 400, "skills[0].evidence"},
		{"no display name", "counsellor", "PUT", "/v1/profiles/ps-9", profileBody("", ""), 400, "display_name"},
		{"bad date", "counsellor", "PUT", "/v1/profiles/ps-9", strings.Replace(profileBody("A", ""), "2027-03-01", "1/3/2027", 1), 400, "available_from"},
		{"bad shift", "counsellor", "PUT", "/v1/profiles/ps-9", strings.Replace(profileBody("A", ""), `"afternoon"`, `"siesta"`, 1), 400, "preferences.shifts[1]"},
		{"vacancy of no employer", "counsellor", "POST", "/v1/vacancies", strings.Replace(cookVacancy, "emp-trattoria", "emp-nobody", 1), 400, "employer_id"},
		{"vacancy at no site", "counsellor", "POST", "/v1/vacancies", strings.Replace(cookVacancy, `"site_id":"s1"`, `"site_id":"s9"`, 1), 400, "site_id"},
		{"closes after it starts", "counsellor", "POST", "/v1/vacancies", strings.Replace(cookVacancy, "2027-03-05", "2027-03-20", 1), 400, "closes_on"},
		{"unknown Italian level", "counsellor", "POST", "/v1/vacancies", strings.Replace(cookVacancy, `"A2"`, `"fluent"`, 1), 400, "min_italian"},
		{"hours as text", "counsellor", "POST", "/v1/vacancies", strings.Replace(cookVacancy, `"weekly_hours":30`, `"weekly_hours":"30"`, 1), 400, "weekly_hours"},
		{"no positions", "counsellor", "POST", "/v1/vacancies", strings.Replace(cookVacancy, `"positions":2`, `"positions":0`, 1), 400, "positions"},
		{"unknown contract", "counsellor", "POST", "/v1/vacancies", strings.Replace(cookVacancy, `"internship"`, `"gig"`, 1), 400, "contract"},
		{"ranking limit", "counsellor", "GET", "/v1/vacancies/v/candidates?limit=x", "", 400, "limit"},
		{"proposal for no vacancy", "counsellor", "POST", "/v1/proposals", `{"person":"ps-9","vacancy_id":"nope"}`, 404, "person"},
		{"batch of unknown vacancy", "counsellor", "POST", "/v1/assignments", `{"vacancy_ids":["nope"]}`, 400, "vacancy_ids[0]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, e := f.do(t, tc.user, tc.method, tc.path, tc.body, nil)
			if status != tc.status || e.Error.Field != tc.field || e.Error.Message == "" {
				t.Fatalf("got %d %+v, want %d naming %q", status, e.Error, tc.status, tc.field)
			}
		})
	}
	if n, err := f.app.Relay.Drain(t.Context()); err != nil || n != 0 {
		t.Fatalf("bad input left %d events (%v)", n, err)
	}
	f.must(t, "", "GET", "/openapi.yaml", "", 200, nil)
	var vs struct{ Vacancies []jobs.VacancyJSON }
	f.must(t, "counsellor", "GET", "/v1/vacancies", "", 200, &vs)
	if len(vs.Vacancies) != 0 {
		t.Fatalf("bad input stored %d vacancies", len(vs.Vacancies))
	}
}

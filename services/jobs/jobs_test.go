package jobs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/devstack/devstacktest"
	"github.com/percorsi/percorsi/pkg/events"
	"github.com/percorsi/percorsi/pkg/httpkit"
	"github.com/percorsi/percorsi/pkg/kafkakit"
	"github.com/percorsi/percorsi/pkg/process"
	coursesv1 "github.com/percorsi/percorsi/proto/percorsi/courses/v1"
	pathwayv1 "github.com/percorsi/percorsi/proto/percorsi/pathway/v1"
	trainingv1 "github.com/percorsi/percorsi/proto/percorsi/training/v1"
	"github.com/percorsi/percorsi/services/jobs"
	"github.com/percorsi/percorsi/services/jobs/domain"
)

const key = "test-signing-key-of-at-least-32-bytes"

// clock is the service's time, moved by the test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

type fixture struct {
	app    *jobs.App
	srv    *httptest.Server
	clock  *clock
	tokens map[string]string
	stack  interface{ KafkaBrokers() []string }
}

// Today in the test: vacancies close in a few days and start in a week.
var today = time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)

func start(t *testing.T) *fixture {
	t.Helper()
	ctx := t.Context()
	stack := devstacktest.Start(t, jobs.Topic, jobs.DeadLetterTopic, jobs.CoursesTopic, jobs.TrainingTopic, jobs.PathwayTopic)
	clk := &clock{t: today}
	cfg := jobs.DefaultConfig
	cfg.Now = clk.now
	app, err := jobs.Open(ctx, process.Config{MongoURI: stack.MongoURI(), KafkaBrokers: stack.KafkaBrokers(), TokenKey: key}, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.Client.Disconnect(context.WithoutCancel(ctx)) })
	issuer, err := auth.NewHMAC([]byte(key))
	if err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{}
	for name, p := range map[string]auth.Principal{
		"counsellor": {Subject: "sara", Role: auth.Counsellor, Organisation: "coop-aurora"},
		"other-org":  {Subject: "marco", Role: auth.Counsellor, Organisation: "coop-stella"},
		"employer":   {Subject: "hr-trattoria", Role: auth.Employer, Organisation: "emp-trattoria"},
		"employer2":  {Subject: "hr-pulizie", Role: auth.Employer, Organisation: "emp-pulizie"},
		"teacher":    {Subject: "maria", Role: auth.Teacher, Organisation: "cpia1"},
	} {
		if tokens[name], err = issuer.Issue(p, 24*time.Hour*400); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(app.Handler(app.API))
	t.Cleanup(srv.Close)
	return &fixture{app: app, srv: srv, clock: clk, tokens: tokens, stack: stack}
}

// do calls the API as user ("" for no token) and decodes the reply into
// out when it is not nil.
func (f *fixture) do(t *testing.T, user, method, path, body string, out any) (int, httpkit.ErrorBody) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, _ := http.NewRequestWithContext(t.Context(), method, f.srv.URL+path, r)
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+f.tokens[user])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var e httpkit.ErrorBody
	if resp.StatusCode >= 400 {
		_ = json.Unmarshal(raw, &e)
	} else if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, path, raw, err)
		}
	}
	return resp.StatusCode, e
}

func (f *fixture) must(t *testing.T, user, method, path, body string, want int, out any) {
	t.Helper()
	if status, e := f.do(t, user, method, path, body, out); status != want {
		t.Fatalf("%s %s: %d %+v, want %d", method, path, status, e.Error, want)
	}
}

// publish writes facts of other services, as they would, to their topics.
func (f *fixture) publish(t *testing.T, topic, person string, occurred time.Time, payload proto.Message) {
	t.Helper()
	b, err := events.Marshal(events.Meta{ID: events.NewID(), Person: person, Producer: "test", OccurredAt: occurred, RecordedAt: occurred}, payload)
	if err != nil {
		t.Fatal(err)
	}
	w := kafkakit.NewWriter(f.stack.KafkaBrokers())
	defer w.Close()
	if err := w.WriteMessages(t.Context(), kafka.Message{Topic: topic, Key: []byte(person), Value: b}); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) seedEmployers(t *testing.T) {
	t.Helper()
	f.must(t, "counsellor", "PUT", "/v1/employers/emp-trattoria", `{"name":"Trattoria da Gino","sites":[{"id":"s1","name":"Cucina","municipality":"Roma","location":{"lat":41.9,"lon":12.5}}]}`, 200, nil)
	f.must(t, "counsellor", "PUT", "/v1/employers/emp-pulizie", `{"name":"Pulizie Srl","sites":[{"id":"s1","name":"Sede","municipality":"Guidonia","location":{"lat":42.0,"lon":12.72}}]}`, 200, nil)
	// The organisation that registered an employer keeps its record.
	if status, e := f.do(t, "other-org", "PUT", "/v1/employers/emp-pulizie", `{"name":"Altro","sites":[{"id":"s9","municipality":"Roma"}]}`, nil); status != 403 || e.Error.Field != "id" {
		t.Fatalf("another organisation changed an employer: %d %+v", status, e)
	}
}

const cookVacancy = `{"employer_id":"emp-trattoria","site_id":"s1","title":"Aiuto cuoco","occupation":"esco:5120.1","sector":"hospitality",
	"required_skills":["esco:prepare-food","esco:food-hygiene"],"desirable_skills":["esco:haccp"],"min_italian":"A2",
	"weekly_hours":30,"shift":"morning","contract":"internship","positions":2,"starts_on":"2027-03-08","closes_on":"2027-03-05"}`

func profileBody(name string, skills string) string {
	return `{"display_name":"` + name + `","skills":[` + skills + `],"experience":[{"occupation":"esco:5120.1","months":6}],
	"preferences":{"sectors":["hospitality"],"max_weekly_hours":36,"shifts":["morning","afternoon"]},
	"home":{"lat":41.91,"lon":12.5},"available_from":"2027-03-01"}`
}

// TestPathwayFromFactsToFollowUp drives the whole pathway of a placement
// through HTTP and Kafka: facts in, ranking, batch, proposal, interview,
// placement, the employer's link, follow-up, the unconfirmed report, and
// the events out.
func TestPathwayFromFactsToFollowUp(t *testing.T) {
	f := start(t)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { defer close(done); _ = f.app.Subscriber().Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	// Facts from courses, training and pathway, for p1 and p2; p3 has no
	// permit known.
	permit := &pathwayv1.PermitRecorded{Kind: pathwayv1.PermitKind_PERMIT_KIND_SPECIAL_CASES_ART18, MayWork: true, ValidUntil: timestamppb.New(today.AddDate(0, 6, 0))}
	for _, p := range []string{"ps-1", "ps-2"} {
		f.publish(t, jobs.PathwayTopic, p, today.AddDate(0, -1, 0), permit)
		f.publish(t, jobs.CoursesTopic, p, today.AddDate(0, 0, -10), &coursesv1.LevelAssessed{CourseKind: coursesv1.CourseKind_COURSE_KIND_ITALIAN_L2, CefrOverall: coursesv1.CefrLevel_CEFR_LEVEL_B1})
	}
	// An older assessment arriving late never overwrites a newer one.
	f.publish(t, jobs.CoursesTopic, "ps-1", today.AddDate(0, -3, 0), &coursesv1.LevelAssessed{CourseKind: coursesv1.CourseKind_COURSE_KIND_ITALIAN_L2, CefrOverall: coursesv1.CefrLevel_CEFR_LEVEL_A1})
	f.publish(t, jobs.TrainingTopic, "ps-1", today.AddDate(0, 0, -5), &trainingv1.CompetencesCertified{RepertoireCode: "LAZ-123", Region: "Lazio", EscoSkills: []string{"esco:food-hygiene"}})
	f.publish(t, jobs.CoursesTopic, "ps-1", today, &coursesv1.LevelAssessed{}) // undecodable fact: dead-lettered

	f.seedEmployers(t)
	f.must(t, "counsellor", "PUT", "/v1/profiles/ps-1", profileBody("Amina K.", `{"code":"esco:prepare-food","evidence":"assessed"},{"code":"esco:haccp","evidence":"declared"}`), 200, nil)
	f.must(t, "counsellor", "PUT", "/v1/profiles/ps-2", profileBody("Joy O.", `{"code":"esco:prepare-food","evidence":"declared"}`), 200, nil)
	f.must(t, "counsellor", "PUT", "/v1/profiles/ps-3", profileBody("Grace N.", `{"code":"esco:prepare-food","evidence":"assessed"}`), 200, nil)
	// Another organisation cannot take or read the person.
	if status, e := f.do(t, "other-org", "PUT", "/v1/profiles/ps-1", profileBody("X", ""), nil); status != 403 || e.Error.Field != "person" {
		t.Fatalf("other organisation: %d %+v", status, e)
	}

	// Wait for the facts to be applied.
	var prof jobs.ProfileJSON
	deadline := time.Now().Add(30 * time.Second)
	for {
		f.must(t, "counsellor", "GET", "/v1/profiles/ps-1", "", 200, &prof)
		var p2 jobs.ProfileJSON
		f.must(t, "counsellor", "GET", "/v1/profiles/ps-2", "", 200, &p2)
		if prof.Italian == "B1" && prof.Permit.Known && len(prof.Skills) == 3 && p2.Italian == "B1" && p2.Permit.Known {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("facts not applied: %+v / %+v", prof, p2)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !slices.Contains(prof.Skills, jobs.SkillJSON{Code: "esco:food-hygiene", Evidence: "certified"}) || prof.Permit.ValidUntil != "2027-09-01" {
		t.Fatalf("profile %+v", prof)
	}

	var vac jobs.VacancyJSON
	f.must(t, "counsellor", "POST", "/v1/vacancies", cookVacancy, 201, &vac)

	// Ranking: ps-1 (certified hygiene) above ps-2; ps-3 excluded for lack
	// of a permit.
	var rk jobs.CandidatesResponse
	f.must(t, "counsellor", "GET", "/v1/vacancies/"+vac.ID+"/candidates", "", 200, &rk)
	if len(rk.Candidates) != 2 || rk.Candidates[0].Person != "ps-1" || rk.Candidates[1].Person != "ps-2" ||
		rk.ExcludedBy["work_permit"] != 1 || rk.Considered != 3 {
		t.Fatalf("ranking %+v", rk)
	}
	// ps-1: required 100+80 of 200, desirable 50 of 100 -> 40x(2x100+2x80+50)/500 = 32.
	if m := rk.Candidates[0].Match; m.Score == 0 || m.Parts[0].Points != 32 || len(m.Parts) != 5 {
		t.Fatalf("explanation %+v", m)
	}
	// Its reasons in the language asked: Italian unless ?lang=en or
	// Accept-Language says English; the skills as the data names them.
	reasons := func(m jobs.ExplanationJSON) []string {
		var out []string
		for _, p := range m.Parts {
			out = append(out, p.Reason)
		}
		return out
	}
	wantIT := []string{
		"richieste 2 su 2: esco:prepare-food (verificata), esco:food-hygiene (certificata); gradite 1 su 1: esco:haccp (dichiarata)",
		"italiano B1; minimo richiesto A2", "1 km, spostamento massimo 30 km", "disponibile per l'inizio del 08/03/2027",
		"settore hospitality tra i preferiti; nessuna preferenza di contratto",
	}
	wantEN := []string{
		"required 2 of 2: esco:prepare-food (assessed), esco:food-hygiene (certified); desirable 1 of 1: esco:haccp (declared)",
		"Italian B1; minimum A2", "1 km, maximum commute 30 km", "available by the start on 08/03/2027",
		"sector hospitality preferred; no contract preference",
	}
	if got := reasons(rk.Candidates[0].Match); !slices.Equal(got, wantIT) {
		t.Errorf("reasons by default\n got %q\nwant %q", got, wantIT)
	}
	for _, q := range []string{"?lang=it", "?lang=en"} {
		var in jobs.CandidatesResponse
		f.must(t, "counsellor", "GET", "/v1/vacancies/"+vac.ID+"/candidates"+q, "", 200, &in)
		if want := map[string][]string{"?lang=it": wantIT, "?lang=en": wantEN}[q]; !slices.Equal(reasons(in.Candidates[0].Match), want) {
			t.Errorf("reasons%s\n got %q\nwant %q", q, reasons(in.Candidates[0].Match), want)
		}
	}
	req, _ := http.NewRequestWithContext(t.Context(), "GET", f.srv.URL+"/v1/profiles/ps-1/vacancies", nil)
	req.Header.Set("Authorization", "Bearer "+f.tokens["counsellor"])
	req.Header.Set("Accept-Language", "en-GB,en;q=0.9")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var forPerson struct {
		Vacancies []jobs.VacancyMatchJSON `json:"vacancies"`
	}
	err = json.NewDecoder(resp.Body).Decode(&forPerson)
	resp.Body.Close()
	if err != nil || len(forPerson.Vacancies) != 1 || !slices.Equal(reasons(forPerson.Vacancies[0].Match), wantEN) {
		t.Errorf("vacancies for ps-1 with Accept-Language en: %v %+v", err, forPerson)
	}
	// Another organisation sees none of these candidates.
	var rkOther jobs.CandidatesResponse
	f.must(t, "other-org", "GET", "/v1/vacancies/"+vac.ID+"/candidates", "", 200, &rkOther)
	if rkOther.Considered != 0 {
		t.Fatalf("another organisation ranked %d candidates", rkOther.Considered)
	}

	var batch jobs.AssignResponse
	f.must(t, "counsellor", "POST", "/v1/assignments", `{"vacancy_ids":["`+vac.ID+`"]}`, 200, &batch)
	if len(batch.Pairs) != 2 || batch.Total < batch.GreedyTotal || len(batch.LeftOut) != 0 || len(batch.Ineligible) != 1 || batch.Ineligible[0] != "ps-3" {
		t.Fatalf("batch %+v", batch)
	}
	if !strings.HasPrefix(batch.Explanation, "Le 2 coppie hanno il punteggio totale più alto possibile") {
		t.Errorf("batch explained in %q", batch.Explanation)
	}
	for _, p := range batch.Pairs {
		if p.Person == "ps-1" && !slices.Equal(reasons(p.Match), wantIT) {
			t.Errorf("batch reasons of ps-1: %q", reasons(p.Match))
		}
	}

	// Proposals: ps-3 cannot take it; a proposal is made once.
	if status, e := f.do(t, "counsellor", "POST", "/v1/proposals", `{"person":"ps-3","vacancy_id":"`+vac.ID+`"}`, nil); status != 400 || e.Error.Field != "person" {
		t.Fatalf("ineligible proposal: %d %+v", status, e)
	}
	placements := map[string]jobs.StartedResponse{}
	for _, p := range []string{"ps-1", "ps-2"} {
		var prop jobs.ProposalJSON
		f.must(t, "counsellor", "POST", "/v1/proposals", `{"person":"`+p+`","vacancy_id":"`+vac.ID+`"}`, 201, &prop)
		f.must(t, "counsellor", "POST", "/v1/proposals", `{"person":"`+p+`","vacancy_id":"`+vac.ID+`"}`, 409, nil)
		f.must(t, "counsellor", "POST", "/v1/proposals/"+prop.ID+"/interview", `{"held_on":"2027-03-01","outcome":"accepted"}`, 200, nil)
		var st jobs.StartedResponse
		f.must(t, "counsellor", "POST", "/v1/proposals/"+prop.ID+"/placement",
			`{"starts_on":"2027-03-08","ends_on":"2027-09-07","weekly_hours":30,"monthly_allowance_cents":80000,"duration_months":6}`, 201, &st)
		placements[p] = st
	}
	pl1, pl2 := placements["ps-1"], placements["ps-2"]
	// The vacancy's proposals are found again, by their organisation only.
	var props, others struct{ Proposals []jobs.ProposalJSON }
	f.must(t, "counsellor", "GET", "/v1/vacancies/"+vac.ID+"/proposals", "", 200, &props)
	f.must(t, "other-org", "GET", "/v1/vacancies/"+vac.ID+"/proposals", "", 200, &others)
	if len(props.Proposals) != 2 || props.Proposals[0].Status != "accepted" || len(others.Proposals) != 0 {
		t.Fatalf("proposals of the vacancy: %+v; another organisation's: %+v", props, others)
	}

	// The vacancy closes: no longer listed, no more proposals; only its
	// publisher may close it.
	f.must(t, "other-org", "POST", "/v1/vacancies/"+vac.ID+"/close", "", 403, nil)
	f.must(t, "counsellor", "POST", "/v1/vacancies/"+vac.ID+"/close", "", 200, nil)
	f.must(t, "counsellor", "POST", "/v1/vacancies/"+vac.ID+"/close", "", 200, nil)
	var open struct{ Vacancies []jobs.VacancyJSON }
	f.must(t, "counsellor", "GET", "/v1/vacancies", "", 200, &open)
	if len(open.Vacancies) != 0 {
		t.Fatalf("closed vacancy still open: %+v", open)
	}
	if status, e := f.do(t, "counsellor", "POST", "/v1/proposals", `{"person":"ps-3","vacancy_id":"`+vac.ID+`"}`, nil); status != 400 || e.Error.Field != "vacancy_id" {
		t.Fatalf("proposal for a closed vacancy: %d %+v", status, e)
	}

	// The employer opens its link after the start.
	f.clock.set(today.AddDate(0, 0, 8))
	var view jobs.PlacementJSON
	f.must(t, "", "GET", pl1.EmployerLink, "", 200, &view)
	if view.DisplayName != "Amina K." || view.Person != "" || view.Confirm != "start" || view.Title != "Aiuto cuoco" {
		t.Fatalf("employer view %+v", view)
	}
	// An employer account sees the placements it is party to, and only
	// the display name of the person.
	var byAccount jobs.PlacementJSON
	f.must(t, "employer", "GET", "/v1/placements/"+pl1.Placement.ID, "", 200, &byAccount)
	if byAccount.DisplayName != "Amina K." || byAccount.Person != "" || byAccount.FollowUps != nil {
		t.Fatalf("employer account view %+v", byAccount)
	}
	f.must(t, "employer2", "GET", "/v1/placements/"+pl1.Placement.ID, "", 403, nil)
	var listed jobs.PlacementsResponse
	f.must(t, "employer2", "GET", "/v1/placements", "", 200, &listed)
	if len(listed.Placements) != 0 {
		t.Fatalf("another employer lists %+v", listed)
	}
	f.must(t, "employer", "GET", "/v1/placements", "", 200, &listed)
	if len(listed.Placements) != 2 || listed.Placements[0].Person != "" || listed.Placements[0].DisplayName == "" {
		t.Fatalf("the employer lists %+v", listed)
	}

	confirm := func(placement, token string) string {
		return `{"token":"` + token + `","on":"2027-03-08","weekly_hours":30}`
	}
	token1, token2 := tokenOf(t, pl1.EmployerLink), tokenOf(t, pl2.EmployerLink)
	f.must(t, "", "POST", "/v1/employer-links/"+pl1.Placement.ID, confirm(pl1.Placement.ID, token1), 200, nil)
	got, err := f.app.Placements.Get(t.Context(), pl1.Placement.ID)
	if err != nil || got.Status != domain.Confirmed || got.WeeklyHours != 30 || !got.Link.Used {
		t.Fatalf("confirmed placement %+v, %v", got, err)
	}
	// Reused: refused, nothing changed.
	f.must(t, "", "POST", "/v1/employer-links/"+pl1.Placement.ID, confirm(pl1.Placement.ID, token1), 409, nil)
	if again, _ := f.app.Placements.Get(t.Context(), pl1.Placement.ID); again.Version != got.Version {
		t.Fatalf("a reused link changed the placement: version %d -> %d", got.Version, again.Version)
	}
	// ps-2's placement is left unconfirmed: reported once.
	f.clock.set(today.AddDate(0, 0, 16))
	if n, err := f.app.Service.ReportUnconfirmed(t.Context()); err != nil || n != 1 {
		t.Fatalf("unconfirmed reported %d, %v", n, err)
	}
	if n, err := f.app.Service.ReportUnconfirmed(t.Context()); err != nil || n != 0 {
		t.Fatalf("unconfirmed reported again: %d, %v", n, err)
	}
	_ = token2

	// Follow-up at one month, not before it is due.
	f.must(t, "counsellor", "POST", "/v1/placements/"+pl1.Placement.ID+"/follow-ups", `{"month":3,"still_working":true,"weekly_hours":30}`, 400, nil)
	f.clock.set(today.AddDate(0, 1, 10))
	f.must(t, "counsellor", "POST", "/v1/placements/"+pl1.Placement.ID+"/follow-ups", `{"month":1,"still_working":true,"weekly_hours":30}`, 201, nil)
	f.must(t, "counsellor", "POST", "/v1/placements/"+pl1.Placement.ID+"/follow-ups", `{"month":1,"still_working":true,"weekly_hours":30}`, 409, nil)

	// The end, confirmed by the employer through a new link.
	var issued map[string]string
	f.must(t, "counsellor", "POST", "/v1/placements/"+pl1.Placement.ID+"/links", `{"purpose":"end"}`, 201, &issued)
	f.must(t, "", "POST", "/v1/employer-links/"+pl1.Placement.ID, `{"token":"`+tokenOf(t, issued["employer_link"])+`","on":"2027-04-09","reason":"hired"}`, 200, nil)
	var ended jobs.PlacementJSON
	f.must(t, "counsellor", "GET", "/v1/placements/"+pl1.Placement.ID, "", 200, &ended)
	if ended.Status != "ended" || ended.EndReason != "hired" || len(ended.FollowUps) != 1 {
		t.Fatalf("ended placement %+v", ended)
	}
	// The counsellor's list shows the follow-ups due: ps-2's first month.
	var mine jobs.PlacementsResponse
	f.must(t, "counsellor", "GET", "/v1/placements", "", 200, &mine)
	due := map[string][]int{}
	for _, p := range mine.Placements {
		due[p.Person] = p.DueFollowUps
	}
	if len(mine.Placements) != 2 || due["ps-1"] != nil || !slices.Equal(due["ps-2"], []int{1}) {
		t.Fatalf("the counsellor's placements %+v", mine.Placements)
	}
	f.must(t, "other-org", "GET", "/v1/placements", "", 200, &mine)
	if len(mine.Placements) != 0 {
		t.Fatalf("another organisation lists %+v", mine.Placements)
	}

	// Every fact reaches the topic keyed by pseudonym, with no display
	// name in it.
	if _, err := f.app.Relay.Drain(t.Context()); err != nil {
		t.Fatal(err)
	}
	types := f.readTopic(t, jobs.Topic, []string{"Amina", "Joy", "Grace", "Trattoria"})
	for _, want := range []string{"ProfileUpdated", "VacancyPublished", "MatchProposed", "InterviewHeld", "PlacementStarted",
		"PlacementConfirmed", "PlacementUnconfirmed", "PlacementEnded", "FollowUpRecorded"} {
		if types["percorsi.jobs.v1."+want] == 0 {
			t.Errorf("no %s event published (got %v)", want, types)
		}
	}
	if dead := f.readTopic(t, jobs.DeadLetterTopic, nil); len(dead) != 1 {
		t.Errorf("dead letters %v, want the one undecodable fact", dead)
	}
}

// readTopic reads everything on topic, fails if a value holds one of the
// forbidden strings, and counts the event types (from the header).
func (f *fixture) readTopic(t *testing.T, topic string, forbidden []string) map[string]int {
	t.Helper()
	conn, err := kafka.DialContext(t.Context(), "tcp", f.stack.KafkaBrokers()[0])
	if err != nil {
		t.Fatal(err)
	}
	parts, err := conn.ReadPartitions(topic)
	conn.Close()
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]int{}
	for _, p := range parts {
		r := kafka.NewReader(kafka.ReaderConfig{Brokers: f.stack.KafkaBrokers(), Topic: topic, Partition: p.ID, MaxWait: 100 * time.Millisecond})
		last, err := r.ReadLag(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for range last {
			m, err := r.ReadMessage(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range forbidden {
				if bytes.Contains(m.Value, []byte(s)) {
					t.Errorf("%s event on %s carries %q", headerOf(m, "event-type"), topic, s)
				}
			}
			types[headerOf(m, "event-type")]++
		}
		r.Close()
	}
	return types
}

func headerOf(m kafka.Message, k string) string {
	for _, h := range m.Headers {
		if h.Key == k {
			return string(h.Value)
		}
	}
	return ""
}

func tokenOf(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("token")
}

package pathway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"go.mongodb.org/mongo-driver/v2/bson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/devstack/devstacktest"
	"github.com/percorsi/percorsi/pkg/events"
	"github.com/percorsi/percorsi/pkg/process"
	coursesv1 "github.com/percorsi/percorsi/proto/percorsi/courses/v1"
	housingv1 "github.com/percorsi/percorsi/proto/percorsi/housing/v1"
	jobsv1 "github.com/percorsi/percorsi/proto/percorsi/jobs/v1"
	registerv1 "github.com/percorsi/percorsi/proto/percorsi/register/v1"
	trainingv1 "github.com/percorsi/percorsi/proto/percorsi/training/v1"
	"github.com/percorsi/percorsi/services/pathway"
	"github.com/percorsi/percorsi/services/pathway/domain"
)

const (
	signingKey = "pathway-test-signing-key-of-32-bytes!!"
	masterKeys = "t1:cGF0aHdheS10ZXN0LW1hc3Rlci1rZXktMzJieXRlcyE="
)

// What identifies Joy, the person followed: none of it may appear in the
// raw store, on Kafka or in a log line.
var joy = domain.PersonalData{
	LegalName: "Joy Okafor-Testa", BirthDate: "1999-04-12", Nationality: "NG", Languages: []string{"en", "pcm"},
	Phone: "+39 333 1234567", Email: "joy.okafor@example.org",
	Documents: []domain.Document{{Kind: "passport", Number: "A12345678", ExpiresOn: "2030-01-01"}},
}

var secrets = []string{"Okafor", "1999-04-12", "333 1234567", "joy.okafor", "A12345678"}

// The display name her organisation chose is kept in clear for its case
// workers, but never leaves pathway.
const displayName = "Sunflower"

// clock is the service's time, moved by the test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

// syncBuffer collects every log line of the service.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

type rig struct {
	t       *testing.T
	pc      process.Config
	app     *pathway.App
	url     string
	clock   *clock
	logs    *syncBuffer
	brokers []string
	writer  *kafka.Writer
	tokens  map[string]string
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t.Add(9 * time.Hour)
}

func newRig(t *testing.T) *rig {
	t.Helper()
	stack := devstacktest.Start(t, pathway.Topics...)
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := &clock{t: day("2026-01-10")}
	app, err := pathway.Open(t.Context(),
		process.Config{MongoURI: stack.MongoURI(), KafkaBrokers: stack.KafkaBrokers(), TokenKey: signingKey},
		pathway.Config{MasterKeys: masterKeys, Now: c.Now, AlertEvery: 50 * time.Millisecond, SweepEvery: time.Hour}, log)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(t.Context()))
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx, ln, app.API) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	issuer, err := auth.NewHMAC([]byte(signingKey))
	if err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{}
	for name, p := range map[string]auth.Principal{
		"cw1":     {Subject: "cw1", Role: auth.CaseWorker, Organisation: "org1"},
		"cw2":     {Subject: "cw2", Role: auth.CaseWorker, Organisation: "org2"},
		"teacher": {Subject: "teacher", Role: auth.Teacher, Organisation: "org1"},
		"monitor": {Subject: "monitor", Role: auth.Monitoring, Organisation: "region"},
	} {
		if tokens[name], err = issuer.Issue(p, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	w := &kafka.Writer{Addr: kafka.TCP(stack.KafkaBrokers()...), Balancer: kafka.Murmur2Balancer{}, BatchTimeout: time.Millisecond}
	t.Cleanup(func() { _ = w.Close() })
	return &rig{t: t, pc: process.Config{MongoURI: stack.MongoURI(), KafkaBrokers: stack.KafkaBrokers(), TokenKey: signingKey}, app: app, url: "http://" + ln.Addr().String(), clock: c, logs: logs, brokers: stack.KafkaBrokers(), writer: w, tokens: tokens}
}

// do calls the API as user and decodes the answer into out.
func (r *rig) do(method, path, user string, body any, out any) int {
	r.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			r.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(r.t.Context(), method, r.url+path, rd)
	if err != nil {
		r.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+r.tokens[user])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if s, ok := out.(*string); ok {
			*s = string(b)
		} else if err := json.Unmarshal(b, out); err != nil {
			r.t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
	if out != nil && resp.StatusCode >= 400 {
		if e, ok := out.(*errorBody); ok {
			_ = json.Unmarshal(b, e)
		}
	}
	return resp.StatusCode
}

type errorBody struct {
	Error struct {
		Code, Field, Message string
	} `json:"error"`
}

// publish puts another service's fact on its topic, as that service would.
func (r *rig) publish(topic, id, person string, at time.Time, payload proto.Message) {
	r.t.Helper()
	b, err := events.Marshal(events.Meta{ID: id, Person: person, Organisation: "org1", Producer: strings.Split(topic, ".")[1], OccurredAt: at, RecordedAt: at}, payload)
	if err != nil {
		r.t.Fatal(err)
	}
	if err := r.writer.WriteMessages(r.t.Context(), kafka.Message{Topic: topic, Key: []byte(person), Value: b}); err != nil {
		r.t.Fatal(err)
	}
}

// waitTimeline waits until person's timeline holds n entries.
func (r *rig) waitTimeline(person string, n int) []domain.Entry {
	r.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		got, err := r.app.Timeline.List(r.t.Context(), person)
		if err == nil && len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("timeline of %s holds %d entries, want %d (%v)", person, len(got), n, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func kinds(es []domain.Entry) []string {
	var out []string
	for _, e := range es {
		switch {
		case e.Attendance != nil:
			out = append(out, "attendance:"+e.Attendance.Status)
		case e.Fact != nil:
			out = append(out, string(e.Fact.Kind))
		default:
			out = append(out, e.Type)
		}
	}
	return out
}

func (r *rig) intake(user, name string, since string) pathway.PersonJSON {
	r.t.Helper()
	var p pathway.PersonJSON
	body := map[string]any{"display_name": name, "programme": "art18", "referral": "hotline", "territory": "IT-LAZ", "since": since,
		"personal": map[string]any{"legal_name": name + " legal"}, "consents": []string{"data_processing"}}
	if status := r.do("POST", "/v1/persons", user, body, &p); status != http.StatusCreated {
		r.t.Fatalf("intake %s: %d", name, status)
	}
	return p
}

// A person taken in charge, enrolled in Italian and a vocational course,
// placed, housed, with the permit converted and the pathway closed as
// autonomous: the timeline, the autonomy stage over time and the alerts are
// exactly as expected; nothing personal leaks; replay rebuilds the same.
func TestPathwayToAutonomy(t *testing.T) {
	r := newRig(t)
	ctx := t.Context()

	// Intake: bad input names the field; then Joy is taken in charge.
	var bad errorBody
	if status := r.do("POST", "/v1/persons", "cw1", map[string]any{"display_name": "Sunflower", "programme": "art99", "referral": "hotline", "personal": joy}, &bad); status != 400 || bad.Error.Field != "programme" {
		t.Fatalf("bad programme: %d %+v", status, bad)
	}
	if status := r.do("POST", "/v1/persons", "teacher", map[string]any{}, nil); status != http.StatusForbidden {
		t.Fatalf("a teacher took someone in charge: %d", status)
	}
	var a pathway.PersonJSON
	status := r.do("POST", "/v1/persons", "cw1", map[string]any{
		"display_name": "Sunflower", "programme": "art18", "referral": "contact_unit", "territory": "IT-LAZ", "since": "2026-01-10",
		"personal": joy, "consents": []string{"data_processing"},
	}, &a)
	if status != http.StatusCreated || !strings.HasPrefix(a.Pseudonym, "ps-") || a.Organisation != "org1" || len(a.Fields) != 7 {
		t.Fatalf("intake: %d %+v", status, a)
	}
	ps := a.Pseudonym
	var pf errorBody
	if status := r.do("POST", "/v1/persons/"+ps+"/permits", "cw1", map[string]any{"kind": "special_cases_art18", "valid_from": "2026-01-10", "valid_until": "2026-01-01"}, &pf); status != 400 || pf.Error.Field != "valid_until" {
		t.Fatalf("bad permit: %d %+v", status, pf)
	}
	if status := r.do("POST", "/v1/persons/"+ps+"/permits", "cw1", map[string]any{"kind": "special_cases_art18", "valid_from": "2026-01-10", "valid_until": "2026-07-10", "may_work": true}, nil); status != 200 {
		t.Fatalf("permit: %d", status)
	}

	// Reading personal data needs a reason, and is audited.
	var noReason errorBody
	if status := r.do("POST", "/v1/persons/"+ps+"/personal/read", "cw1", map[string]any{}, &noReason); status != 400 || noReason.Error.Field != "reason" {
		t.Fatalf("no reason: %d %+v", status, noReason)
	}
	var personal struct{ Personal map[string]json.RawMessage }
	if status := r.do("POST", "/v1/persons/"+ps+"/personal/read", "cw1", map[string]any{"fields": []string{"legal_name", "documents"}, "reason": "permit renewal"}, &personal); status != 200 ||
		string(personal.Personal["legal_name"]) != `"Joy Okafor-Testa"` || !strings.Contains(string(personal.Personal["documents"]), "A12345678") || len(personal.Personal) != 2 {
		t.Fatalf("personal: %d %s", status, personal.Personal)
	}
	// Another organisation's case worker: 403, and the attempt is audited.
	if status := r.do("POST", "/v1/persons/"+ps+"/personal/read", "cw2", map[string]any{"reason": "curious"}, nil); status != http.StatusForbidden {
		t.Fatalf("other organisation: %d", status)
	}
	if status := r.do("GET", "/v1/persons/"+ps+"/timeline", "cw2", nil, nil); status != http.StatusForbidden {
		t.Fatalf("other organisation's timeline: %d", status)
	}
	var audit struct{ Entries []pathway.AuditJSON }
	r.do("GET", "/v1/persons/"+ps+"/audit", "cw1", nil, &audit)
	var trail []string
	for _, e := range audit.Entries {
		trail = append(trail, fmt.Sprintf("%s %s %s %s %v", e.Subject, e.Action, e.Outcome, e.Reason, e.Fields))
	}
	wantTrail := []string{
		"cw1 intake granted taken in charge [legal_name birth_date nationality languages phone email documents]",
		"cw1 permit granted special_cases_art18 []",
		"cw1 read_personal granted permit renewal [legal_name documents]",
		"cw2 read_personal denied curious [legal_name birth_date nationality languages phone email documents]",
		"cw2 read_record denied case management []",
	}
	if !slices.Equal(trail, wantTrail) {
		t.Fatalf("audit trail:\n%s\nwant\n%s", strings.Join(trail, "\n"), strings.Join(wantTrail, "\n"))
	}

	// The plan, then the facts of every service, as they happen.
	r.clock.Set(day("2026-01-12"))
	plan := map[string]any{"goals": []map[string]any{
		{"domain": "italian", "title": "A2 entro giugno", "target": "2026-06-30", "follow_by": "cpia1"},
		{"domain": "work", "title": "Tirocinio in ristorazione", "follow_by": "cw1"},
	}}
	var pb errorBody
	if status := r.do("PUT", "/v1/persons/"+ps+"/plan", "cw1", map[string]any{"goals": []map[string]any{{"domain": "sport", "title": "x"}}}, &pb); status != 400 || pb.Error.Field != "goals[0].domain" {
		t.Fatalf("bad plan: %d %+v", status, pb)
	}
	if status := r.do("PUT", "/v1/persons/"+ps+"/plan", "cw1", plan, nil); status != 200 {
		t.Fatalf("plan: %d", status)
	}
	r.clock.Set(day("2026-01-30"))
	mark := func(id, lesson string, at time.Time, st registerv1.AttendanceStatus) {
		minutes := uint32(0)
		if st == registerv1.AttendanceStatus_ATTENDANCE_STATUS_PRESENT {
			minutes = 120
		}
		r.publish(pathway.CoursesTopic, id, ps, at, &coursesv1.AttendanceRecorded{LessonId: lesson, ClassId: "c1", CourseKind: coursesv1.CourseKind_COURSE_KIND_ITALIAN_L2,
			LessonStart: timestamppb.New(at), LessonMinutes: 120, Status: st, MinutesAttended: minutes})
	}
	r.publish(pathway.HousingTopic, "h1", ps, day("2026-01-15"), &housingv1.HousingStepStarted{StepId: "s1", Kind: housingv1.StepKind_STEP_KIND_SEMI_AUTONOMY_FLAT, StartedAt: timestamppb.New(day("2026-01-15"))})
	mark("a1", "l1", day("2026-01-20"), registerv1.AttendanceStatus_ATTENDANCE_STATUS_PRESENT)
	mark("a2", "l2", day("2026-01-22"), registerv1.AttendanceStatus_ATTENDANCE_STATUS_ABSENT)
	mark("a3", "l3", day("2026-01-24"), registerv1.AttendanceStatus_ATTENDANCE_STATUS_ABSENT)
	mark("a4", "l4", day("2026-01-27"), registerv1.AttendanceStatus_ATTENDANCE_STATUS_ABSENT)
	// Joy's absences raise one alert.
	r.waitTimeline(ps, 8) // 3 of pathway's own so far
	deadline := time.Now().Add(30 * time.Second)
	for {
		var al struct{ Alerts []pathway.AlertJSON }
		r.do("GET", "/v1/persons/"+ps+"/alerts", "cw1", nil, &al)
		if len(al.Alerts) == 1 && al.Alerts[0].ID == "absence_streak:c1:l2" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("alerts: %+v", al.Alerts)
		}
		time.Sleep(50 * time.Millisecond)
	}
	mark("a5", "l5", day("2026-01-29"), registerv1.AttendanceStatus_ATTENDANCE_STATUS_PRESENT)
	r.publish(pathway.JobsTopic, "j1", ps, day("2026-02-01"), &jobsv1.PlacementStarted{PlacementId: "pl1", Contract: jobsv1.ContractKind_CONTRACT_KIND_FIXED_TERM, StartsOn: timestamppb.New(day("2026-02-01"))})
	r.publish(pathway.JobsTopic, "j2", ps, day("2026-02-03"), &jobsv1.PlacementConfirmed{PlacementId: "pl1", Kind: jobsv1.ConfirmationKind_CONFIRMATION_KIND_START, On: timestamppb.New(day("2026-02-01"))})
	r.publish(pathway.CoursesTopic, "c-a2", ps, day("2026-04-15"), &coursesv1.LevelAssessed{AssessmentId: "as1", CourseKind: coursesv1.CourseKind_COURSE_KIND_ITALIAN_L2, CefrOverall: coursesv1.CefrLevel_CEFR_LEVEL_A2})
	r.publish(pathway.TrainingTopic, "t1", ps, day("2026-05-20"), &trainingv1.QualificationAwarded{EditionId: "ed1", EqfLevel: 3, RepertoireCode: "LZ-AIUTO-CUOCO"})
	r.publish(pathway.HousingTopic, "h2", ps, day("2026-06-01"), &housingv1.LeaseSigned{StepId: "s2", StartsOn: timestamppb.New(day("2026-06-01"))})

	// Late May: the art. 18 permit ends within 60 days, but the confirmed
	// placement supports a conversion: no alert. The case worker resolves
	// the absence alert.
	r.waitTimeline(ps, 15)
	r.clock.Set(day("2026-05-25"))
	var legal pathway.LegalJSON
	if r.do("GET", "/v1/persons/"+ps+"/legal", "cw1", nil, &legal); !legal.Convertible || legal.DaysLeft != 45 || legal.CheckFrom != "2026-05-11" ||
		legal.Grounds != "lavoro: inserimento confermato dal datore di lavoro dal 01/02/2026" {
		t.Fatalf("legal: %+v", legal)
	}
	if r.do("GET", "/v1/persons/"+ps+"/legal?lang=en", "cw1", nil, &legal); legal.Grounds != "work: placement confirmed by the employer since 01/02/2026" {
		t.Fatalf("legal in English: %+v", legal)
	}
	if status := r.do("POST", "/v1/persons/"+ps+"/alerts/absence_streak:c1:l2/acknowledge", "cw1", map[string]any{}, nil); status != 200 {
		t.Fatalf("acknowledge: %d", status)
	}
	if status := r.do("POST", "/v1/persons/"+ps+"/alerts/absence_streak:c1:l2/resolve", "cw1", map[string]any{"note": "spoke with her"}, nil); status != 200 {
		t.Fatalf("resolve: %d", status)
	}
	if err := r.app.Service.Sweep(ctx); err != nil {
		t.Fatal(err)
	}

	// Mid June: the permit is converted into a work permit.
	r.clock.Set(day("2026-06-15"))
	if status := r.do("POST", "/v1/persons/"+ps+"/permits", "cw1", map[string]any{"kind": "work_employed", "converted_from": "special_cases_art18", "valid_from": "2026-06-15", "valid_until": "2028-06-15", "may_work": true}, nil); status != 200 {
		t.Fatalf("conversion: %d", status)
	}
	r.clock.Set(day("2026-06-30"))
	if status := r.do("POST", "/v1/persons/"+ps+"/close", "cw1", map[string]any{"reason": "autonomy_reached", "on": "2026-06-30"}, nil); status != 200 {
		t.Fatalf("close: %d", status)
	}

	r.waitTimeline(ps, 18)
	wantKinds := []string{
		"taken_in_charge", "permit_recorded", "plan_updated", "housing_step_started",
		"attendance:present", "attendance:absent", "attendance:absent", "attendance:absent", "attendance:present", "alert_raised",
		"placement_started", "placement_confirmed", "level_assessed", "qualification_awarded", "alert_resolved", "lease_signed",
		"permit_recorded", "pathway_closed",
	}
	var tl pathway.TimelineResponse
	if status := r.do("GET", "/v1/persons/"+ps+"/timeline?lang=en", "cw1", nil, &tl); status != 200 {
		t.Fatalf("timeline: %d", status)
	}
	var got []string
	for _, e := range tl.Entries {
		k := e.Kind
		if e.Attendance != nil {
			k += ":" + e.Attendance.Status
		}
		got = append(got, k)
	}
	if !slices.Equal(got, wantKinds) {
		t.Fatalf("timeline:\n%v\nwant\n%v", got, wantKinds)
	}
	if tl.Entries[13].Text != "Vocational qualification awarded on 20/05/2026 (EQF 3)" {
		t.Errorf("English text %q", tl.Entries[13].Text)
	}
	var it pathway.TimelineResponse
	r.do("GET", "/v1/persons/"+ps+"/timeline", "cw1", nil, &it)
	if it.Entries[15].Text != "Contratto di affitto proprio firmato il 01/06/2026" {
		t.Errorf("Italian text %q", it.Entries[15].Text)
	}

	// Autonomy over time, and why.
	var au pathway.AutonomyJSON
	r.do("GET", "/v1/persons/"+ps+"/autonomy", "cw1", nil, &au)
	var stages []string
	for _, h := range au.History {
		if n := len(stages); n == 0 || !strings.HasPrefix(stages[n-1], h.Stage+"@") {
			stages = append(stages, h.Stage+"@"+h.At.Format(time.DateOnly))
		}
	}
	wantStages := []string{"taken_in_charge@2026-01-10", "learning@2026-01-20", "integrating@2026-05-01", "autonomous@2026-06-15"}
	if !slices.Equal(stages, wantStages) || au.Stage != "autonomous" || au.Index != 0.83 {
		t.Fatalf("autonomy %s %.2f:\n%v\nwant %v", au.Stage, au.Index, stages, wantStages)
	}
	for _, a := range au.Areas {
		if a.Area == "work" && a.Why != "Inserimento confermato dal datore di lavoro, iniziato il 01/02/2026: 3 mesi compiuti il 01/05/2026" {
			t.Errorf("work: %+v", a)
		}
	}
	var en pathway.AutonomyJSON
	r.do("GET", "/v1/persons/"+ps+"/autonomy?lang=en", "cw1", nil, &en)
	for _, a := range en.Areas {
		if a.Area == "work" && a.Why != "Placement confirmed by the employer, started on 01/02/2026: 3 months completed on 01/05/2026" {
			t.Errorf("work in English: %+v", a)
		}
	}

	// Alerts: exactly the absence streak, resolved by the case worker.
	var al struct{ Alerts []pathway.AlertJSON }
	r.do("GET", "/v1/persons/"+ps+"/alerts", "cw1", nil, &al)
	if len(al.Alerts) != 1 || al.Alerts[0].ResolvedBy != "cw1" || al.Alerts[0].AcknowledgedAt == nil || al.Alerts[0].Note != "spoke with her" {
		t.Fatalf("alerts of Joy: %+v", al.Alerts)
	}

	// Another person, whose art. 18 permit nears its end with no grounds for
	// conversion, and who then shows no activity: two alerts. Transferred to
	// org2, they leave org1's reach.
	r.clock.Set(day("2026-01-10"))
	b := r.intake("cw1", "Rose", "2026-01-10")
	r.do("POST", "/v1/persons/"+b.Pseudonym+"/permits", "cw1", map[string]any{"kind": "special_cases_art18", "valid_from": "2025-09-01", "valid_until": "2026-03-01"}, nil)
	r.clock.Set(day("2026-05-25"))
	if err := r.app.Service.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	r.do("GET", "/v1/persons/"+b.Pseudonym+"/alerts", "cw1", nil, &al)
	var ids []string
	for _, a := range al.Alerts {
		ids = append(ids, a.ID)
	}
	if want := []string{"permit_without_grounds:2026-03-01", "inactivity:2026-01-10"}; !slices.Equal(ids, want) {
		t.Fatalf("alerts of Rose: %v, want %v", ids, want)
	}
	var tr pathway.PersonJSON
	if status := r.do("POST", "/v1/persons/"+b.Pseudonym+"/transfers", "cw1", map[string]any{"to_organisation": "org2", "to_territory": "IT-TOS", "reason": "safety"}, &tr); status != 200 || len(tr.Transfers) != 1 {
		t.Fatalf("transfer request: %d %+v", status, tr)
	}
	var incoming struct{ Transfers []pathway.IncomingJSON }
	if r.do("GET", "/v1/transfers/incoming", "cw2", nil, &incoming); len(incoming.Transfers) != 1 || incoming.Transfers[0].Pseudonym != b.Pseudonym || incoming.Transfers[0].Transfer.ID != "t1" {
		t.Fatalf("incoming for org2: %+v", incoming)
	}
	if r.do("GET", "/v1/transfers/incoming", "cw1", nil, &incoming); len(incoming.Transfers) != 0 {
		t.Fatalf("incoming for org1: %+v", incoming)
	}
	if status := r.do("POST", "/v1/persons/"+b.Pseudonym+"/transfers/t1/accept", "cw1", nil, nil); status != http.StatusForbidden {
		t.Fatalf("accepted by the sender: %d", status)
	}
	var dec pathway.TransferDecidedJSON
	if status := r.do("POST", "/v1/persons/"+b.Pseudonym+"/transfers/t1/accept", "cw2", nil, &dec); status != 200 || dec.Status != "accepted" || dec.Organisation != "org2" {
		t.Fatalf("accept: %d %+v", status, dec)
	}
	if r.do("GET", "/v1/transfers/incoming", "cw2", nil, &incoming); len(incoming.Transfers) != 0 {
		t.Fatalf("incoming after acceptance: %+v", incoming)
	}
	if status := r.do("GET", "/v1/persons/"+b.Pseudonym+"/timeline", "cw1", nil, nil); status != http.StatusForbidden {
		t.Fatalf("former organisation: %d", status)
	}
	if status := r.do("POST", "/v1/persons/"+b.Pseudonym+"/personal/read", "cw2", map[string]any{"reason": "hand-over"}, nil); status != 200 {
		t.Fatalf("new organisation: %d", status)
	}

	// Monitoring: five more people in org1; cells under 5 suppressed.
	r.clock.Set(day("2026-02-01"))
	for i := range 5 {
		r.intake("cw1", fmt.Sprintf("P%d", i), "2026-02-01")
	}
	if status := r.do("GET", "/v1/monitoring/indicators?from=2026-01-01&to=2027-01-01", "cw1", nil, nil); status != http.StatusForbidden {
		t.Fatalf("a case worker read monitoring: %d", status)
	}
	var mon pathway.MonitoringJSON
	if status := r.do("GET", "/v1/monitoring/indicators?from=2026-01-01&to=2027-01-01", "monitor", nil, &mon); status != 200 || len(mon.Rows) != 2 {
		t.Fatalf("monitoring: %d %+v", status, mon)
	}
	for _, row := range mon.Rows {
		for ind, n := range row.Counts {
			if n != nil && *n < pathway.MinCell {
				t.Errorf("%s %s shows %d", row.Group, ind, *n)
			}
		}
	}
	if n := mon.Rows[0].Counts["taken_in_charge"]; mon.Rows[0].Group != "org1" || n == nil || *n != 6 || mon.Rows[0].Counts["autonomous_exits"] != nil {
		t.Fatalf("org1 row: %+v", mon.Rows[0])
	}
	var csv string
	r.do("GET", "/v1/monitoring/indicators?from=2026-01-01&to=2027-01-01&format=csv", "monitor", nil, &csv)
	if !strings.HasPrefix(csv, "organisation,period_from,period_to,taken_in_charge,") || !strings.Contains(csv, "org1,2026-01-01,2027-01-01,6,<5,") {
		t.Fatalf("csv:\n%s", csv)
	}

	// Replay from zero gives the same timelines.
	before := r.settle()
	var last, total int64
	n, err := r.app.Replay(ctx, func(done, of int64) { last, total = done, of })
	if err != nil || n == 0 || last != total {
		t.Fatalf("replay: %d records, progress %d/%d, %v", n, last, total, err)
	}
	after, err := r.app.Timeline.All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byID := func(a, b domain.Entry) int { return strings.Compare(a.EventID, b.EventID) }
	slices.SortFunc(before, byID)
	slices.SortFunc(after, byID)
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("replay rebuilt %d entries, live run had %d", len(after), len(before))
	}

	// Erasure: the key goes, and nothing personal can be read any more.
	r.clock.Set(day("2026-07-01"))
	var raw bson.Raw
	if err := r.app.DB.Collection("persons").FindOne(ctx, bson.D{{Key: "_id", Value: ps}}).Decode(&raw); err != nil {
		t.Fatal(err)
	}
	if status := r.do("DELETE", "/v1/persons/"+ps+"/personal", "cw1", map[string]any{"reason": "retention period over"}, nil); status != http.StatusNoContent {
		t.Fatalf("erase: %d", status)
	}
	if status := r.do("POST", "/v1/persons/"+ps+"/personal/read", "cw1", map[string]any{"reason": "check"}, nil); status != http.StatusNotFound {
		t.Fatalf("after erasure: %d", status)
	}
	if n, err := r.app.DB.Collection("keys").CountDocuments(ctx, bson.D{{Key: "_id", Value: ps}}); err != nil || n != 0 {
		t.Fatalf("key still stored: %d %v", n, err)
	}
	var erased pathway.PersonJSON
	if r.do("GET", "/v1/persons/"+ps, "cw1", nil, &erased); !erased.Erased || len(erased.Fields) != 0 {
		t.Fatalf("after erasure: %+v", erased)
	}
	if r.do("GET", "/v1/persons/"+ps+"/autonomy", "cw1", nil, &au); au.Stage != "autonomous" {
		t.Fatalf("the pathway's facts stay after erasure: %s", au.Stage)
	}

	// Nothing personal in the raw store, on Kafka or in the logs.
	if leaked := leaks(raw.String()); leaked != "" {
		t.Errorf("stored before erasure, in clear: %s", leaked)
	}
	for _, coll := range []string{"persons", "keys", "audit", "timeline"} {
		cur, err := r.app.DB.Collection(coll).Find(ctx, bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		for cur.Next(ctx) {
			if leaked := leaks(cur.Current.String()); leaked != "" {
				t.Errorf("%s holds %q in clear", coll, leaked)
			}
		}
	}
	for _, m := range readAll(t, r.brokers, pathway.Topics) {
		if leaked := leaks(string(m.Value) + fmt.Sprint(m.Headers)); leaked != "" || strings.Contains(string(m.Value), displayName) {
			t.Errorf("%s carries %q", m.Topic, leaked)
		}
	}
	if leaked := leaks(r.logs.String()); leaked != "" || strings.Contains(r.logs.String(), displayName) {
		t.Errorf("a log line holds %q", leaked)
	}
}

// settle waits until every event pathway stored is published and every
// record on the consumed topics is on a timeline, and returns them all.
func (r *rig) settle() []domain.Entry {
	r.t.Helper()
	ctx := r.t.Context()
	deadline := time.Now().Add(60 * time.Second)
	for {
		pending, err := r.app.DB.Collection("persons").CountDocuments(ctx, bson.D{{Key: "outbox_pending", Value: true}})
		if err != nil {
			r.t.Fatal(err)
		}
		if pending == 0 {
			ids := map[string]bool{}
			for _, m := range readAll(r.t, r.brokers, pathway.Consumed) {
				if req, err := pathway.DecodeEvent(ctx, m); err == nil && req.(pathway.RecordRequest).Entry != nil {
					ids[req.(pathway.RecordRequest).Entry.EventID] = true
				}
			}
			all, err := r.app.Timeline.All(ctx)
			if err != nil {
				r.t.Fatal(err)
			}
			if len(all) == len(ids) {
				return all
			}
		}
		if time.Now().After(deadline) {
			r.t.Fatal("pathway never caught up with its topics")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func leaks(s string) string {
	for _, x := range secrets {
		if strings.Contains(s, x) {
			return x
		}
	}
	return ""
}

// readAll reads every record of topics from the start.
func readAll(t *testing.T, brokers, topics []string) []kafka.Message {
	t.Helper()
	conn, err := kafka.Dial("tcp", brokers[0])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	parts, err := conn.ReadPartitions(topics...)
	if err != nil {
		t.Fatal(err)
	}
	var out []kafka.Message
	for _, p := range parts {
		c, err := kafka.DialLeader(t.Context(), "tcp", brokers[0], p.Topic, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		first, last, err := c.ReadOffsets()
		c.Close()
		if err != nil {
			t.Fatal(err)
		}
		if last <= first {
			continue
		}
		rd := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, Topic: p.Topic, Partition: p.ID, MaxWait: 100 * time.Millisecond})
		if err := rd.SetOffset(first); err != nil {
			t.Fatal(err)
		}
		for off := first; off < last; {
			m, err := rd.ReadMessage(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, m)
			off = m.Offset + 1
		}
		rd.Close()
	}
	if len(out) == 0 {
		t.Fatal("no records read")
	}
	return out
}

// A new master key rewraps every data key; once rotated, the old master key
// can go and the personal data still reads.
func TestKeyRotation(t *testing.T) {
	r := newRig(t)
	ctx := t.Context()
	p := r.intake("cw1", "Rose", "2026-01-10")
	newKey := "t2:bmV3LW1hc3Rlci1rZXktb2YtZXhhY3RseS0zMmJ5dGU="
	open := func(keys string) *pathway.App {
		app, err := pathway.Open(ctx, r.pc, pathway.Config{MasterKeys: keys}, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = app.Writer.Close() })
		return app
	}
	var last int64
	n, err := open(newKey+","+masterKeys).Service.RotateKeys(ctx, func(done, _ int64) { last = done })
	if err != nil || n != 1 || last != 1 {
		t.Fatalf("rotate: %d %d %v", n, last, err)
	}
	var key struct {
		KeyID string `bson:"key_id"`
	}
	if err := r.app.DB.Collection("keys").FindOne(ctx, bson.D{{Key: "_id", Value: p.Pseudonym}}).Decode(&key); err != nil || key.KeyID != "t2" {
		t.Fatalf("stored key: %+v %v", key, err)
	}
	got, err := open(newKey).Service.Personal(auth.With(ctx, auth.Principal{Subject: "cw1", Role: auth.CaseWorker, Organisation: "org1"}), p.Pseudonym, []string{"legal_name"}, "check after rotation")
	if err != nil || string(got["legal_name"]) != `"Rose legal"` {
		t.Fatalf("after rotation: %s %v", got, err)
	}
}

// Bad input is a 400 naming the field; nothing is written.
func TestBadInput(t *testing.T) {
	r := newRig(t)
	p := r.intake("cw1", "Rose", "2026-01-10")
	person := "/v1/persons/" + p.Pseudonym
	for _, tc := range []struct {
		method, path string
		body         any
		field        string
	}{
		{"POST", "/v1/persons", map[string]any{"display_name": "X", "programme": "art18", "referral": "hotline"}, "personal.legal_name"},
		{"POST", "/v1/persons", map[string]any{"display_name": "X", "programme": "art18", "referral": "nobody", "personal": map[string]any{"legal_name": "x"}}, "referral"},
		{"POST", "/v1/persons", map[string]any{"display_name": "X", "programme": "art18", "referral": "self", "personal": map[string]any{"legal_name": "x", "birth_date": "12/04/1999"}}, "personal.birth_date"},
		{"POST", "/v1/persons", map[string]any{"display_name": "X", "nickname": "y"}, "nickname"},
		{"POST", "/v1/persons", map[string]any{"display_name": "X", "programme": "art18", "referral": "self", "since": "yesterday", "personal": map[string]any{"legal_name": "x"}}, "since"},
		{"POST", person + "/personal/read", map[string]any{"reason": "x", "fields": []string{"legal_name", "address"}}, "fields"},
		{"POST", person + "/personal/read", map[string]any{"reason": "x", "fields": "legal_name"}, "fields"},
		{"DELETE", person + "/personal", map[string]any{}, "reason"},
		{"POST", person + "/permits", map[string]any{"kind": "golden_visa", "valid_from": "2026-01-01"}, "kind"},
		{"POST", person + "/permits", map[string]any{"kind": "study"}, "valid_from"},
		{"POST", person + "/consents", map[string]any{"scope": "data_sharing"}, "given"},
		{"PUT", person + "/plan", map[string]any{"goals": []any{map[string]any{"domain": "work", "title": "t", "target": "soon"}}}, "goals[0].target"},
		{"PUT", person + "/plan", map[string]any{"goals": []any{map[string]any{"domain": "work", "title": "t", "status": "maybe"}}}, "goals[0].status"},
		{"PUT", person + "/plan", map[string]any{"goals": []any{map[string]any{"domain": "work", "title": 3}}}, "goals[0].title"},
		{"POST", person + "/alerts/x/ignore", map[string]any{}, "action"},
		{"POST", person + "/transfers", map[string]any{"to_organisation": "org2"}, "reason"},
		{"POST", person + "/transfers/t1/maybe", nil, "decision"},
		{"POST", person + "/close", map[string]any{"reason": "bored"}, "reason"},
		{"GET", "/v1/monitoring/indicators?from=2026-01-01", nil, "from"},
	} {
		user := "cw1"
		if strings.HasPrefix(tc.path, "/v1/monitoring") {
			user = "monitor"
		}
		var e errorBody
		if status := r.do(tc.method, tc.path, user, tc.body, &e); status != http.StatusBadRequest || e.Error.Field != tc.field {
			t.Errorf("%s %s: %d %+v, want 400 naming %s", tc.method, tc.path, status, e.Error, tc.field)
		}
	}
	var got pathway.PersonJSON
	if r.do("GET", person, "cw1", nil, &got); got.Plan != nil || len(got.Transfers) != 0 || got.Closed != nil {
		t.Fatalf("something was written: %+v", got)
	}
	var e errorBody
	if status := r.do("POST", person+"/alerts/nope/resolve", "cw1", map[string]any{}, &e); status != http.StatusNotFound || e.Error.Field != "alert_id" {
		t.Errorf("unknown alert: %d %+v", status, e)
	}
	if status := r.do("GET", "/v1/persons/ps-unknown/timeline", "cw1", nil, nil); status != http.StatusNotFound {
		t.Errorf("unknown person: %d", status)
	}
}

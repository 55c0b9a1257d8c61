package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/percorsi/percorsi/services/pathway"
	pathwaydomain "github.com/percorsi/percorsi/services/pathway/domain"
)

// timeline waits until the person's timeline ends with the closing and
// returns it.
func (j *journey) timeline(ps string) pathway.TimelineResponse {
	j.t.Helper()
	var tl pathway.TimelineResponse
	j.eventually("the closing on the timeline", func() (bool, string) {
		j.must("GET", j.sys.PathwayURL+"/v1/persons/"+ps+"/timeline?lang=en", "case worker", nil, &tl)
		n := len(tl.Entries)
		return n > 0 && tl.Entries[n-1].Kind == "pathway_closed", fmt.Sprint(n, " entries")
	})
	return tl
}

// checkJourney asserts the timeline, the autonomy over time and the alerts.
func (j *journey) checkJourney(ps string) {
	j.t.Helper()
	pw := j.sys.PathwayURL
	tl := j.timeline(ps)

	// The facts in the order they happened: those about a past day on that
	// day, those of today in the order they were recorded. Pathway's own
	// alerts are checked apart: when they land among today's facts depends
	// on when its alert pass runs.
	var facts, alerts []string
	for _, e := range tl.Entries {
		line := e.Kind
		if a := e.Attendance; a != nil {
			line += " " + a.CourseKind + " " + a.Status
		}
		if e.OccurredAt.Before(j.today) {
			line = e.OccurredAt.Format(time.DateOnly) + " " + line
		} else {
			line = "today " + line
		}
		if strings.HasPrefix(e.Kind, "alert_") {
			alerts = append(alerts, line+": "+e.Text)
			continue
		}
		facts = append(facts, line)
	}
	// Facts of one past day may share their instant (a flat left the day
	// the lease starts): within a day, in the order of their names.
	past := slices.IndexFunc(facts, func(l string) bool { return strings.HasPrefix(l, "today ") })
	if past < 0 {
		past = len(facts)
	}
	slices.Sort(facts[:past])
	want := []string{
		j.day(-200) + " taken_in_charge",
		j.day(-150) + " housing_step_started",
		j.day(-100) + " placement_started",
		j.day(-30) + " attendance vocational present",
		j.day(-25) + " attendance italian_l2 present",
		j.day(-23) + " attendance italian_l2 absent",
		j.day(-21) + " attendance italian_l2 absent",
		j.day(-18) + " attendance italian_l2 absent",
		j.day(-16) + " attendance italian_l2 present",
		j.day(-12) + " internship_hours",
		j.day(-5) + " exam_taken",
		j.day(-3) + " lease_signed",
		j.day(-2) + " housing_step_ended",
		j.day(-2) + " housing_step_started",
		"today interview_held", // held today, a date: at midnight
		"today permit_recorded",
		"today plan_updated",
		"today enrolled_in_course",
		"today level_assessed",
		"today enrolled_in_training",
		"today module_completed",
		"today module_completed",
		"today qualification_awarded",
		"today match_proposed",
		"today placement_confirmed",
		"today housing_offer_proposed",
		"today permit_recorded",
		"today pathway_closed",
	}
	if !slices.Equal(facts, want) {
		j.t.Errorf("timeline:\n%s\nwant\n%s", strings.Join(facts, "\n"), strings.Join(want, "\n"))
	}
	slices.Sort(alerts)
	wantAlerts := []string{
		`today alert_raised: Alert "absences in a row" on ` + j.today.Format("02/01/2006"),
		`today alert_raised: Alert "permit ending without grounds for conversion" on ` + j.today.Format("02/01/2006"),
		`today alert_resolved: Alert "absences in a row" closed on ` + j.today.Format("02/01/2006"),
		`today alert_resolved: Alert "permit ending without grounds for conversion" closed on ` + j.today.Format("02/01/2006"),
	}
	if !slices.Equal(alerts, wantAlerts) {
		j.t.Errorf("alerts on the timeline:\n%s\nwant\n%s", strings.Join(alerts, "\n"), strings.Join(wantAlerts, "\n"))
	}
	if tl.HoursByCourse["italian_l2"] != 4 || tl.HoursByCourse["vocational"] != 4 || tl.HoursByCourse["internship"] != 4 {
		j.t.Errorf("hours by course: %v", tl.HoursByCourse)
	}

	// The alerts as the case worker handled them: the permit's cleared by
	// the lessons she attended (grounds for a study permit), the absences
	// acknowledged and resolved.
	var al struct{ Alerts []pathway.AlertJSON }
	j.must("GET", pw+"/v1/persons/"+ps+"/alerts", "case worker", nil, &al)
	var got []string
	for _, a := range al.Alerts {
		got = append(got, fmt.Sprintf("%s resolved by %s, acknowledged %t, note %q", a.ID, a.ResolvedBy, a.AcknowledgedAt != nil, a.Note))
	}
	wantResolved := []string{
		"permit_without_grounds:" + j.day(20) + ` resolved by system, acknowledged false, note ""`,
		"absence_streak:cl-it-a2:" + j.streakFrom + ` resolved by cw-aurora, acknowledged true, note "ha ripreso a frequentare"`,
	}
	if !slices.Equal(got, wantResolved) {
		j.t.Errorf("alerts:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantResolved, "\n"))
	}

	// Autonomy: where she is, why, and how she got there.
	var au pathway.AutonomyJSON
	j.must("GET", pw+"/v1/persons/"+ps+"/autonomy", "case worker", nil, &au)
	var areas []string
	for _, a := range au.Areas {
		areas = append(areas, a.Area+" "+a.Status+" "+a.Since)
	}
	today := j.day(0)
	wantAreas := []string{
		"italian achieved " + today, "digital none ", "training achieved " + today,
		"work achieved " + j.today.AddDate(0, 0, -100).AddDate(0, 3, 0).Format(time.DateOnly),
		"housing achieved " + j.day(-3), "legal achieved " + today,
	}
	if au.Stage != "autonomous" || au.Index != 0.83 || !slices.Equal(areas, wantAreas) {
		j.t.Errorf("autonomy %s %.2f:\n%s\nwant\n%s", au.Stage, au.Index, strings.Join(areas, "\n"), strings.Join(wantAreas, "\n"))
	}
	var stages []string
	for _, h := range au.History {
		if n := len(stages); n == 0 || !strings.HasPrefix(stages[n-1], h.Stage+" ") {
			stages = append(stages, h.Stage+" "+h.At.Format(time.DateOnly))
		}
	}
	wantStages := []string{"taken_in_charge " + j.day(-200), "learning " + j.day(-30), "integrating " + j.day(-3), "autonomous " + today}
	if !slices.Equal(stages, wantStages) {
		j.t.Errorf("stages over time: %v, want %v", stages, wantStages)
	}
}

// checkPrivacy asserts, on the whole run, that personal data never left
// pathway in clear and that pathway guards it.
func (j *journey) checkPrivacy(ps string, logs *journeyLog) {
	j.t.Helper()
	ctx := j.t.Context()
	pw := j.sys.PathwayURL
	client, err := mongo.Connect(options.Client().ApplyURI(j.sys.Stack.MongoURI()).SetTimeout(30 * time.Second))
	if err != nil {
		j.t.Fatal(err)
	}
	defer func() { _ = client.Disconnect(context.WithoutCancel(ctx)) }()
	persons := client.Database(j.sys.Pathway.DB.Name()).Collection("persons")

	// At rest the personal fields are ciphertext, each field sealed apart.
	var raw struct {
		Sealed map[string][]byte `bson:"sealed"`
	}
	if err := persons.FindOne(ctx, bson.D{{Key: "_id", Value: ps}}).Decode(&raw); err != nil {
		j.t.Fatal(err)
	}
	if len(raw.Sealed) != len(pathwaydomain.PersonalFields) {
		j.t.Errorf("sealed fields: %d, want %d", len(raw.Sealed), len(pathwaydomain.PersonalFields))
	}
	for f, c := range raw.Sealed {
		if leaked := journeyLeak(string(c)); leaked != "" || len(c) < 28 { // nonce and tag at least
			j.t.Errorf("sealed %s holds %q in clear (%d bytes)", f, leaked, len(c))
		}
	}

	// Another organisation's case worker: 403 for every read, each audited.
	if status := j.call("POST", pw+"/v1/persons/"+ps+"/personal/read", "other case worker", map[string]any{"reason": "curiosity"}, nil); status != http.StatusForbidden {
		j.t.Errorf("another organisation read the personal data: %d", status)
	}
	for _, path := range []string{"/timeline", "/autonomy", ""} {
		if status := j.call("GET", pw+"/v1/persons/"+ps+path, "other case worker", nil, nil); status != http.StatusForbidden {
			j.t.Errorf("another organisation read %s: %d", path, status)
		}
	}
	var theirs struct{ Persons []pathway.CaseloadJSON }
	if j.must("GET", pw+"/v1/persons", "other case worker", nil, &theirs); len(theirs.Persons) != 0 {
		j.t.Errorf("another organisation's caseload: %+v", theirs.Persons)
	}
	var personal struct{ Personal map[string]string }
	j.must("POST", pw+"/v1/persons/"+ps+"/personal/read", "case worker", map[string]any{"fields": []string{"legal_name"}, "reason": "permit renewal"}, &personal)
	if personal.Personal["legal_name"] != journeyPersonal["legal_name"] {
		j.t.Errorf("the case worker in charge reads %v", personal.Personal)
	}
	var audit struct{ Entries []pathway.AuditJSON }
	j.must("GET", pw+"/v1/persons/"+ps+"/audit", "case worker", nil, &audit)
	var denied []string
	for _, e := range audit.Entries {
		if e.Outcome == "denied" {
			denied = append(denied, e.Subject+" "+e.Organisation+" "+e.Action)
		}
	}
	wantDenied := []string{"cw-stella coop-stella read_personal", "cw-stella coop-stella read_record", "cw-stella coop-stella read_record", "cw-stella coop-stella read_record"}
	if !slices.Equal(denied, wantDenied) {
		j.t.Errorf("denied accesses audited: %v, want %v", denied, wantDenied)
	}

	// Monitoring: five more people taken in charge; no cell shows fewer
	// than five, in JSON or CSV.
	for i := range 5 {
		j.must("POST", pw+"/v1/persons", "case worker", map[string]any{
			"display_name": fmt.Sprintf("Persona %d", i), "programme": "art13", "referral": "hotline", "territory": "IT-LAZ",
			"personal": map[string]any{"legal_name": fmt.Sprintf("Monitoring Legal %d", i)},
		}, nil)
	}
	query := "/v1/monitoring/indicators?from=" + j.day(-365) + "&to=" + j.day(1)
	var mon pathway.MonitoringJSON
	j.must("GET", pw+query, "monitor", nil, &mon)
	shown := 0
	for _, row := range mon.Rows {
		for ind, n := range row.Counts {
			if n != nil {
				shown++
				if *n < pathway.MinCell {
					j.t.Errorf("monitoring shows %s %s = %d", row.Group, ind, *n)
				}
			}
		}
	}
	if shown == 0 || len(mon.Rows) != 1 || mon.Rows[0].Counts["taken_in_charge"] == nil || *mon.Rows[0].Counts["taken_in_charge"] != 6 {
		j.t.Errorf("monitoring: %+v", mon.Rows)
	}
	var csv string
	j.mustText("GET", pw+query+"&format=csv", "monitor", &csv)
	for _, line := range strings.Split(strings.TrimSpace(csv), "\n")[1:] {
		for _, cell := range strings.Split(line, ",")[3:] {
			if n, err := strconv.Atoi(cell); err == nil && n < pathway.MinCell {
				j.t.Errorf("monitoring CSV shows %d: %s", n, line)
			}
		}
	}

	// Replay from zero gives the same timelines as the live run.
	before := j.settled()
	if _, err := j.sys.Pathway.Replay(ctx, nil); err != nil {
		j.t.Fatal(err)
	}
	after, err := j.sys.Pathway.Timeline.All(ctx)
	if err != nil {
		j.t.Fatal(err)
	}
	byID := func(a, b pathwaydomain.Entry) int { return strings.Compare(a.EventID, b.EventID) }
	slices.SortFunc(before, byID)
	slices.SortFunc(after, byID)
	if !reflect.DeepEqual(before, after) {
		j.t.Errorf("replay rebuilt %d entries, the live run had %d", len(after), len(before))
	}

	// Erasure: nothing personal can be read any more, anywhere.
	if status := j.call("DELETE", pw+"/v1/persons/"+ps+"/personal", "case worker", map[string]any{"reason": "retention period over"}, nil); status != http.StatusNoContent {
		j.t.Fatalf("erase: %d", status)
	}
	if status := j.call("POST", pw+"/v1/persons/"+ps+"/personal/read", "case worker", map[string]any{"reason": "check"}, nil); status != http.StatusNotFound {
		j.t.Errorf("personal data after erasure: %d", status)
	}
	var erased bson.Raw
	if err := persons.FindOne(ctx, bson.D{{Key: "_id", Value: ps}}).Decode(&erased); err != nil {
		j.t.Fatal(err)
	}
	if _, err := erased.LookupErr("sealed"); err == nil && erased.Lookup("sealed").Type != bson.TypeNull {
		j.t.Errorf("ciphertext kept after erasure: %s", erased.Lookup("sealed"))
	}
	if n, err := client.Database(j.sys.Pathway.DB.Name()).Collection("keys").CountDocuments(ctx, bson.D{{Key: "_id", Value: ps}}); err != nil || n != 0 {
		j.t.Errorf("the person's key after erasure: %d %v", n, err)
	}

	// Nothing personal in clear in any store of any service, on any topic,
	// or in any log line of the whole run.
	j.scanStores(ctx, client)
	j.scanKafka(ctx)
	if all := logs.String(); all == "" {
		j.t.Error("no log line captured")
	} else if leaked := journeyLeak(all); leaked != "" || strings.Contains(all, journeyName) {
		j.t.Errorf("a log line holds %q (or the display name)", leaked)
	} else {
		j.t.Logf("scanned %d log lines", strings.Count(all, "\n"))
	}
}

// journeyLeak returns the first piece of personal data s holds.
func journeyLeak(s string) string {
	for _, x := range journeySecrets {
		if strings.Contains(s, x) {
			return x
		}
	}
	for i := range 5 {
		if x := fmt.Sprintf("Monitoring Legal %d", i); strings.Contains(s, x) {
			return x
		}
	}
	return ""
}

// mustText is must for a text answer.
func (j *journey) mustText(method, url, user string, out *string) {
	j.t.Helper()
	req, err := http.NewRequestWithContext(j.t.Context(), method, url, nil)
	if err != nil {
		j.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+j.tokens[user])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		j.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		j.t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		j.t.Fatalf("%s %s: %d %s", method, url, resp.StatusCode, b)
	}
	*out = string(b)
}

// settled waits until every record on the topics pathway follows is on a
// timeline and returns every entry.
func (j *journey) settled() []pathwaydomain.Entry {
	j.t.Helper()
	ctx := j.t.Context()
	var all []pathwaydomain.Entry
	j.eventually("pathway to catch up with its topics", func() (bool, string) {
		ids := map[string]bool{}
		for _, m := range j.records(ctx, pathway.Consumed...) {
			if req, err := pathway.DecodeEvent(ctx, m); err == nil && req.(pathway.RecordRequest).Entry != nil {
				ids[req.(pathway.RecordRequest).Entry.EventID] = true
			}
		}
		var err error
		if all, err = j.sys.Pathway.Timeline.All(ctx); err != nil {
			return false, err.Error()
		}
		return len(all) == len(ids), fmt.Sprintf("%d entries, %d records", len(all), len(ids))
	})
	return all
}

// records reads every record of topics (all topics when none is named)
// from the start.
func (j *journey) records(ctx context.Context, topics ...string) []kafka.Message {
	j.t.Helper()
	brokers := j.sys.Stack.KafkaBrokers()
	conn, err := kafka.Dial("tcp", brokers[0])
	if err != nil {
		j.t.Fatal(err)
	}
	defer conn.Close()
	parts, err := conn.ReadPartitions(topics...)
	if err != nil {
		j.t.Fatal(err)
	}
	var out []kafka.Message
	for _, p := range parts {
		leader, err := kafka.DialLeader(ctx, "tcp", brokers[0], p.Topic, p.ID)
		if err != nil {
			j.t.Fatal(err)
		}
		first, last, err := leader.ReadOffsets()
		leader.Close()
		if err != nil {
			j.t.Fatal(err)
		}
		if last <= first {
			continue
		}
		r := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, Topic: p.Topic, Partition: p.ID, MaxWait: 100 * time.Millisecond})
		if err := r.SetOffset(first); err != nil {
			j.t.Fatal(err)
		}
		for next := first; next < last; {
			m, err := r.ReadMessage(ctx)
			if err != nil {
				j.t.Fatal(err)
			}
			out = append(out, m)
			next = m.Offset + 1
		}
		r.Close()
	}
	return out
}

// scanKafka reads every message of every topic: no key, value or header
// carries personal data or the display name.
func (j *journey) scanKafka(ctx context.Context) {
	j.t.Helper()
	perTopic := map[string]int{}
	for _, m := range j.records(ctx) {
		perTopic[m.Topic]++
		all := string(m.Key) + string(m.Value)
		for _, h := range m.Headers {
			all += h.Key + string(h.Value)
		}
		if leaked := journeyLeak(all); leaked != "" || strings.Contains(all, journeyName) {
			j.t.Errorf("a message on %s carries %q (or the display name)", m.Topic, leaked)
		}
	}
	j.t.Logf("scanned Kafka: %v", perTopic)
	for _, topic := range []string{pathway.Topic, pathway.CoursesTopic, pathway.TrainingTopic, pathway.JobsTopic, pathway.HousingTopic} {
		if perTopic[topic] == 0 {
			j.t.Errorf("nothing read on %s", topic)
		}
	}
}

// scanStores reads every document of every database: no personal data in
// clear in any service's store.
func (j *journey) scanStores(ctx context.Context, client *mongo.Client) {
	j.t.Helper()
	dbs, err := client.ListDatabaseNames(ctx, bson.D{})
	if err != nil {
		j.t.Fatal(err)
	}
	docs := 0
	for _, name := range dbs {
		db := client.Database(name)
		colls, err := db.ListCollectionNames(ctx, bson.D{})
		if err != nil {
			j.t.Fatal(err)
		}
		for _, coll := range colls {
			cur, err := db.Collection(coll).Find(ctx, bson.D{})
			if err != nil {
				j.t.Fatal(err)
			}
			for cur.Next(ctx) {
				docs++
				if leaked := journeyLeak(cur.Current.String()); leaked != "" {
					j.t.Errorf("%s.%s holds %q in clear", name, coll, leaked)
				}
			}
			if err := cur.Err(); err != nil {
				j.t.Fatal(err)
			}
			cur.Close(ctx)
		}
	}
	j.t.Logf("scanned %d documents in %d databases", docs, len(dbs))
}

// Package e2e drives courses and pathway together over the real wire
// protocols (HTTP, Kafka, MongoDB) on the embedded stack.
package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/devstack"
	"github.com/percorsi/percorsi/pkg/devstack/devstacktest"
	"github.com/percorsi/percorsi/pkg/process"
	"github.com/percorsi/percorsi/services/courses"
	coursesdomain "github.com/percorsi/percorsi/services/courses/domain"
	"github.com/percorsi/percorsi/services/pathway"
	pathwaydomain "github.com/percorsi/percorsi/services/pathway/domain"
)

const signingKey = "e2e-signing-key-of-at-least-32-bytes!"

// masterKeys wrap pathway's per-person keys: one 32-byte key, base64.
const masterKeys = "e2e:ZTJlLW1hc3Rlci1rZXktb2YtZXhhY3RseS0zMmJ5dGU="

// shape is the school the rig seeds: classes of people, each with lessons
// held on consecutive past days.
type shape struct {
	classes, people, lessons int
}

type rig struct {
	shape
	stack      *devstack.Stack
	courses    *courses.App
	pathway    *pathway.App
	coursesURL string
	pathwayURL string
	teacher    string // token
	caseWorker string // token
	firstDay   time.Time
}

func newRig(t testing.TB, sh shape) *rig {
	t.Helper()
	ctx := context.Background()
	stack := devstacktest.Start(t, pathway.Topics...) // courses' topic among them
	cfg := process.Config{MongoURI: stack.MongoURI(), KafkaBrokers: stack.KafkaBrokers(), TokenKey: signingKey}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	c, err := courses.Open(ctx, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	p, err := pathway.Open(ctx, cfg, pathway.Config{MasterKeys: masterKeys}, log)
	if err != nil {
		t.Fatal(err)
	}
	cs, ps := httptest.NewServer(c.Handler(c.API)), httptest.NewServer(p.Handler(p.API))
	t.Cleanup(func() {
		cs.Close()
		ps.Close()
		_ = c.Writer.Close()
		_ = p.Writer.Close()
	})
	issuer, err := auth.NewHMAC([]byte(signingKey))
	if err != nil {
		t.Fatal(err)
	}
	teacher, _ := issuer.Issue(auth.Principal{Subject: "teacher", Role: auth.Teacher, Organisation: "cpia1"}, time.Hour)
	caseWorker, _ := issuer.Issue(auth.Principal{Subject: "cw", Role: auth.CaseWorker, Organisation: "org1"}, time.Hour)
	r := &rig{
		shape: sh, stack: stack, courses: c, pathway: p, coursesURL: cs.URL, pathwayURL: ps.URL,
		teacher: teacher, caseWorker: caseWorker,
		firstDay: time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -sh.lessons-1).Add(9 * time.Hour),
	}
	r.seed(t)
	return r
}

func (r *rig) classID(c int) string        { return fmt.Sprintf("c%02d", c) }
func (r *rig) person(c, p int) string      { return fmt.Sprintf("ps-%02d-%02d", c, p) }
func (r *rig) lessonID(c, l int) string    { return fmt.Sprintf("l-%02d-%03d", c, l) }
func (r *rig) lessonStart(l int) time.Time { return r.firstDay.AddDate(0, 0, l) }

func (r *rig) seed(t testing.TB) {
	ctx := context.Background()
	for c := range r.classes {
		class := &coursesdomain.Class{
			ID: r.classID(c), CourseID: "it-a2", CourseKind: coursesdomain.ItalianL2, Title: "Italiano A2",
			Organisation: "cpia1", Teachers: []string{"teacher"},
		}
		for p := range r.people {
			class.Roster = append(class.Roster, coursesdomain.Enrolment{Person: r.person(c, p), DisplayName: "P", Status: coursesdomain.Enrolled})
			if err := r.pathway.Persons.Seed(ctx, &pathwaydomain.Person{Pseudonym: r.person(c, p), Organisation: "org1", DisplayName: "P"}); err != nil {
				t.Fatal(err)
			}
		}
		if err := r.courses.Classes.Replace(ctx, class.ID, class); err != nil {
			t.Fatal(err)
		}
		for l := range r.lessons {
			lesson := &coursesdomain.Lesson{ID: r.lessonID(c, l), ClassID: class.ID, Start: r.lessonStart(l), Minutes: 120, Status: coursesdomain.Scheduled}
			if err := r.courses.Lessons.Replace(ctx, lesson.ID, lesson); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// minutes is what person p of any class attends in lesson l.
func minutes(p, l int) (status string, min int) {
	switch (p + l) % 7 {
	case 0:
		return "absent", 0
	case 1:
		return "late", 30 + (p+l)%60
	}
	return "present", 120
}

func (r *rig) registerBody(c, l int) string {
	var b strings.Builder
	b.WriteString(`{"marks":[`)
	for p := range r.people {
		if p > 0 {
			b.WriteByte(',')
		}
		status, min := minutes(p, l)
		fmt.Fprintf(&b, `{"person":%q,"status":%q,"minutes":%d}`, r.person(c, p), status, min)
	}
	b.WriteString(`]}`)
	return b.String()
}

// submit records lesson l of class c through HTTP and reports whether the
// register was acknowledged.
func (r *rig) submit(ctx context.Context, client *http.Client, c, l int) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, r.coursesURL+"/v1/lessons/"+r.lessonID(c, l)+"/register", strings.NewReader(r.registerBody(c, l)))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+r.teacher)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		return fmt.Errorf("register %s: status %d", r.lessonID(c, l), resp.StatusCode)
	}
	return nil
}

// submitAll records every register, each class's lessons in order, classes
// in parallel, and returns how many were acknowledged.
func (r *rig) submitAll(t testing.TB, workers int) int {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		acked int
		next  = make(chan int)
	)
	client := &http.Client{Timeout: 30 * time.Second}
	for range workers {
		wg.Go(func() {
			for c := range next {
				for l := range r.lessons {
					if err := r.submit(context.Background(), client, c, l); err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					acked++
					mu.Unlock()
				}
			}
		})
	}
	for c := range r.classes {
		next <- c
	}
	close(next)
	wg.Wait()
	return acked
}

// waitTimeline waits until the timeline holds want entries, for as long
// as it keeps growing: it fails only when nothing arrived for stall, so a
// busy machine makes the test slower, never red.
func (r *rig) waitTimeline(t testing.TB, want int64, stall time.Duration) {
	t.Helper()
	var last int64
	moved := time.Now()
	for {
		n, err := r.timelineEntries()
		if err == nil && n >= want {
			return
		}
		if n > last {
			last, moved = n, time.Now()
		}
		if time.Since(moved) > stall {
			t.Fatalf("timeline holds %d entries, want %d, and none arrived for %s (last error %v)", n, want, stall, err)
		}
		// Counting decodes every entry of every timeline in the embedded
		// store: every 50 ms it took a tenth of the pipeline's CPU.
		time.Sleep(500 * time.Millisecond)
	}
}

// timelineEntries counts the entries of every timeline.
func (r *rig) timelineEntries() (int64, error) {
	return r.pathway.DB.Collection("timeline").CountDocuments(context.Background(), bson.D{})
}

// timeline reads a person's timeline as the case worker would.
func (r *rig) timeline(t testing.TB, person string) pathway.TimelineResponse {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, r.pathwayURL+"/v1/persons/"+person+"/timeline", nil)
	req.Header.Set("Authorization", "Bearer "+r.caseWorker)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("timeline of %s: status %d", person, resp.StatusCode)
	}
	var tl pathway.TimelineResponse
	if err := json.NewDecoder(resp.Body).Decode(&tl); err != nil {
		t.Fatal(err)
	}
	return tl
}

// checkTimelines verifies every person's timeline holds each lesson exactly
// once, in lesson order, with the minutes submitted: all of them in the
// store, and one person per class through the case worker's HTTP API.
func (r *rig) checkTimelines(t testing.TB) {
	t.Helper()
	cur, err := r.pathway.DB.Collection("timeline").Find(context.Background(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	var docs []struct {
		Person     string    `bson:"person"`
		OccurredAt time.Time `bson:"occurred_at"`
		Attendance struct {
			LessonID string `bson:"lesson_id"`
			Status   string `bson:"status"`
			Minutes  int    `bson:"minutes"`
		} `bson:"attendance"`
	}
	if err := cur.All(context.Background(), &docs); err != nil {
		t.Fatal(err)
	}
	byPerson := map[string][]pathway.Attendance{}
	slices.SortStableFunc(docs, func(a, b struct {
		Person     string    `bson:"person"`
		OccurredAt time.Time `bson:"occurred_at"`
		Attendance struct {
			LessonID string `bson:"lesson_id"`
			Status   string `bson:"status"`
			Minutes  int    `bson:"minutes"`
		} `bson:"attendance"`
	}) int {
		return a.OccurredAt.Compare(b.OccurredAt)
	})
	for _, d := range docs {
		byPerson[d.Person] = append(byPerson[d.Person], pathway.Attendance{LessonID: d.Attendance.LessonID, Status: d.Attendance.Status, Minutes: d.Attendance.Minutes})
	}
	for c := range r.classes {
		for p := range r.people {
			r.checkPerson(t, c, p, byPerson[r.person(c, p)])
		}
		tl := r.timeline(t, r.person(c, 0))
		got := make([]pathway.Attendance, len(tl.Entries))
		for i, e := range tl.Entries {
			got[i] = *e.Attendance
		}
		r.checkPerson(t, c, 0, got)
	}
}

func (r *rig) checkPerson(t testing.TB, c, p int, got []pathway.Attendance) {
	t.Helper()
	if len(got) != r.lessons {
		t.Fatalf("%s has %d entries, want %d", r.person(c, p), len(got), r.lessons)
	}
	for l, a := range got {
		status, min := minutes(p, l)
		if a.LessonID != r.lessonID(c, l) || a.Status != status || a.Minutes != min {
			t.Fatalf("%s entry %d = %+v, want lesson %s %s %d", r.person(c, p), l, a, r.lessonID(c, l), status, min)
		}
	}
}

// pendingRegisters counts registers whose events the relay has not cleared.
func (r *rig) pendingRegisters(t testing.TB) int64 {
	n, err := r.courses.DB.Collection("registers").CountDocuments(context.Background(), bson.D{{Key: "outbox_pending", Value: true}})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// worker runs fn in the background until stop is called.
type worker struct {
	cancel context.CancelFunc
	done   chan error
}

func startWorker(fn func(context.Context) error) *worker {
	ctx, cancel := context.WithCancel(context.Background())
	w := &worker{cancel: cancel, done: make(chan error, 1)}
	go func() { w.done <- fn(ctx) }()
	return w
}

func (w *worker) stop(t testing.TB) {
	w.cancel()
	if err := <-w.done; err != nil {
		t.Errorf("worker stopped with %v", err)
	}
}

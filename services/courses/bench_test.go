package courses_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/devstack/devstacktest"
	"github.com/percorsi/percorsi/pkg/process"
	"github.com/percorsi/percorsi/pkg/register"
	"github.com/percorsi/percorsi/services/courses"
	"github.com/percorsi/percorsi/services/courses/domain"
	"github.com/percorsi/percorsi/services/courses/store"
)

// Sizes of the stored school year, in enrolled people (20 a class, 30
// lessons held and recorded per class). COURSES_BENCH_PEOPLE overrides them,
// e.g. "1000,10000,100000".
func benchSizes(b *testing.B) []int {
	sizes := []int{1000, 10000}
	if v := os.Getenv("COURSES_BENCH_PEOPLE"); v != "" {
		sizes = nil
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(f)
			if err != nil || n < 20 {
				b.Fatalf("COURSES_BENCH_PEOPLE: %q is not a size of at least 20", f)
			}
			sizes = append(sizes, n)
		}
	}
	return sizes
}

const (
	benchClassSize = 20
	benchHeld      = 30
)

var benchDay = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// BenchmarkRegisterRoundTrip is a teacher's register at growing sizes of
// the stored school year on the embedded store: open the lesson (lesson and
// class, with the roster's figures, by _id), mark twenty people, save
// (register and its events in one insert, then the class's figures by _id).
// Beside it, the raw figures of the same store at the same size: a FindOne
// by _id and an InsertOne of a register-sized document. FerretDB v1 scans
// even by _id, so the round trip grows with the store exactly as the raw
// lookups do; on a real MongoDB all of these are index lookups.
func BenchmarkRegisterRoundTrip(b *testing.B) {
	for _, people := range benchSizes(b) {
		b.Run(fmt.Sprintf("people=%d", people), func(b *testing.B) {
			app := seedYear(b, people)
			classes := people / benchClassSize
			ctx := auth.With(benchContext(b), auth.Principal{Subject: "teacher", Role: auth.Teacher, Organisation: "cpia1"})
			run := 0
			b.Run("round_trip", func(b *testing.B) {
				run++
				lessons := make([]domain.Lesson, b.N)
				for i := range lessons {
					lessons[i] = domain.Lesson{
						ID: fmt.Sprintf("open-%d-%d", run, i), ClassID: classID(i % classes),
						Start: benchDay.AddDate(0, 0, benchHeld*2+run), Minutes: 120, Status: domain.Scheduled,
					}
				}
				if err := app.Lessons.Add(ctx, lessons); err != nil {
					b.Fatal(err)
				}
				took := make([]time.Duration, b.N)
				b.ResetTimer()
				start := time.Now()
				for i := range b.N {
					t0 := time.Now()
					view, err := app.Service.Lesson(ctx, lessons[i].ID)
					if err != nil {
						b.Fatal(err)
					}
					marks := make([]register.Mark, 0, benchClassSize)
					for j, p := range view.Class.Expected() {
						marks = append(marks, benchMark(p, i+j))
					}
					if _, created, err := app.Service.RecordRegister(ctx, lessons[i].ID, marks); err != nil || !created {
						b.Fatalf("record: created %v, %v", created, err)
					}
					took[i] = time.Since(t0)
				}
				elapsed := time.Since(start)
				b.StopTimer()
				reportLatency(b, took)
				b.ReportMetric(float64(b.N*benchClassSize)/elapsed.Seconds(), "marks/s")
			})
			// Lookups of stored registers spread over the collection, and of
			// missing ones (the open of a lesson not yet recorded): FerretDB
			// stops scanning at a hit, never at a miss.
			rng := rand.New(rand.NewPCG(1, 2))
			for _, hit := range []bool{true, false} {
				name := map[bool]string{true: "raw_find_by_id", false: "raw_find_missing_id"}[hit]
				b.Run(name, func(b *testing.B) {
					coll := app.DB.Collection("registers")
					took := make([]time.Duration, b.N)
					b.ResetTimer()
					for i := range b.N {
						id := fmt.Sprintf("h-%05d-%02d", rng.IntN(classes), rng.IntN(benchHeld))
						if !hit {
							id = fmt.Sprintf("missing-%d", i)
						}
						t0 := time.Now()
						if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Err(); hit == (err != nil) {
							b.Fatalf("find %s: %v", id, err)
						}
						took[i] = time.Since(t0)
					}
					b.StopTimer()
					reportLatency(b, took)
				})
			}
			b.Run("raw_insert", func(b *testing.B) {
				run++
				coll := app.DB.Collection("registers")
				took := make([]time.Duration, b.N)
				b.ResetTimer()
				for i := range b.N {
					doc := bson.D{{Key: "_id", Value: fmt.Sprintf("raw-%d-%d", run, i)}, {Key: "class_id", Value: "raw"}, {Key: "marks", Value: rawMarks}}
					t0 := time.Now()
					if _, err := coll.InsertOne(ctx, doc); err != nil {
						b.Fatal(err)
					}
					took[i] = time.Since(t0)
				}
				b.StopTimer()
				reportLatency(b, took)
			})
		})
	}
}

var rawMarks = func() bson.A {
	var a bson.A
	for j := range benchClassSize {
		a = append(a, bson.D{{Key: "person", Value: fmt.Sprintf("ps-%02d", j)}, {Key: "status", Value: "present"}, {Key: "minutes", Value: 120}})
	}
	return a
}()

func classID(c int) string { return fmt.Sprintf("c-%05d", c) }

func benchMark(person string, k int) register.Mark {
	switch k % 7 {
	case 0:
		return register.Mark{Person: person, Status: register.Absent}
	case 1:
		return register.Mark{Person: person, Status: register.Late, Minutes: 60}
	}
	return register.Mark{Person: person, Status: register.Present, Minutes: 120}
}

// seedYear stores a school year of people enrolled 20 a class, each class
// with 30 lessons held and their registers, and its figures counted.
func seedYear(b *testing.B, people int) *courses.App {
	b.Helper()
	ctx := benchContext(b)
	stack := devstacktest.Start(b, courses.Topic)
	app, err := courses.OpenWith(ctx, process.Config{MongoURI: stack.MongoURI(), KafkaBrokers: stack.KafkaBrokers(), TokenKey: key},
		domain.DefaultConfig(), func() time.Time { return benchDay.AddDate(1, 0, 0) }, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = app.Client.Disconnect(context.WithoutCancel(ctx)) })
	classes := people / benchClassSize
	var cs []*domain.Class
	var regs []*domain.Register
	var lessons []domain.Lesson
	for c := range classes {
		class := &domain.Class{
			ID: classID(c), CourseID: "it-a2", CourseKind: domain.ItalianL2, Title: "Italiano A2", Organisation: "cpia1",
			Teachers: []string{"teacher"}, PlannedMinutes: 200 * 60, TargetLevel: "a2",
		}
		for p := range benchClassSize {
			class.Roster = append(class.Roster, domain.Enrolment{Person: fmt.Sprintf("ps-%05d-%02d", c, p), DisplayName: "P", Status: domain.Enrolled})
		}
		for l := range benchHeld {
			lesson := domain.Lesson{ID: fmt.Sprintf("h-%05d-%02d", c, l), ClassID: class.ID, Start: benchDay.AddDate(0, 0, l), Minutes: 120, Status: domain.Scheduled}
			lessons = append(lessons, lesson)
			marks := make([]register.Mark, benchClassSize)
			for p, e := range class.Roster {
				marks[p] = benchMark(e.Person, p+l)
			}
			r := &domain.Register{
				LessonID: lesson.ID, ClassID: class.ID, CourseID: class.CourseID, CourseKind: class.CourseKind, Organisation: class.Organisation,
				Sheet: register.Sheet{LessonStart: lesson.Start, LessonMinutes: lesson.Minutes, Marks: marks, RecordedBy: "teacher", RecordedAt: lesson.Start, Revision: 1},
			}
			class.Count(r, 3)
			regs = append(regs, r)
		}
		cs = append(cs, class)
	}
	start := time.Now()
	progress := func(what string, done, total int) {
		if done == total || done%20000 == 0 {
			b.Logf("stored %d/%d %s (%s)", done, total, what, time.Since(start).Round(time.Second))
		}
	}
	for i := 0; i < len(lessons); i += 20000 {
		if err := app.Lessons.Add(ctx, lessons[i:min(i+20000, len(lessons))]); err != nil {
			b.Fatal(err)
		}
		progress("lessons", min(i+20000, len(lessons)), len(lessons))
	}
	if err := store.Load(ctx, app.DB, cs, regs, progress); err != nil {
		b.Fatal(err)
	}
	return app
}

// benchContext gives the benchmark's store calls a deadline of their own.
// The service's client bounds each call at 10 s when the context has no
// deadline, and on FerretDB a scan of a 100k-people year takes about that
// long (a served request would time out there); with a deadline in the
// context the driver waits for the store, so the benchmark reports what
// the store takes.
func benchContext(b *testing.B) context.Context {
	ctx, cancel := context.WithTimeout(b.Context(), time.Hour)
	b.Cleanup(cancel)
	return ctx
}

func reportLatency(b *testing.B, took []time.Duration) {
	slices.Sort(took)
	pct := func(p float64) float64 {
		return float64(took[min(len(took)-1, int(p*float64(len(took))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

package allinone

import (
	"context"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"time"
	_ "time/tzdata" // the demo's lessons are at 9:00 in Rome

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/register"
	coursesdomain "github.com/percorsi/percorsi/services/courses/domain"
	pathwaydomain "github.com/percorsi/percorsi/services/pathway/domain"
)

// Demo is what the demo data holds, for the README and the tests.
type Demo struct {
	ClassID       string
	TodayLessonID string // started an hour ago, register not yet recorded
	People        []DemoPerson
	Users         map[string]auth.Principal // by user name
	Tokens        map[string]string         // by user name
	Housing       *DemoHousing
	Jobs          *DemoJobs
	Training      *DemoTraining
}

// DemoPerson is one person of the demo.
type DemoPerson struct {
	Pseudonym, DisplayName string
}

var demoPeople = []DemoPerson{
	{"ps-4q7k2m", "Amina K."}, {"ps-8d3n5x", "Joy O."}, {"ps-2h9w6r", "Blessing E."}, {"ps-6t1c8v", "Mariam S."},
	{"ps-3z5p7j", "Fatou D."}, {"ps-9b2f4l", "Esther A."}, {"ps-5m8g1s", "Grace N."}, {"ps-7r4y3e", "Sara T."},
}

var demoUsers = map[string]auth.Principal{
	"maria.rossi":    {Subject: "maria.rossi", Role: auth.Teacher, Organisation: "cpia1-roma"},
	"anna.conti":     {Subject: "anna.conti", Role: auth.Coordinator, Organisation: "cpia1-roma"},
	"paolo.neri":     {Subject: "paolo.neri", Role: auth.Teacher, Organisation: "cpia1-roma"},
	"giulia.bianchi": {Subject: "giulia.bianchi", Role: auth.CaseWorker, Organisation: "coop-aurora"},
	"luca.verdi":     {Subject: "luca.verdi", Role: auth.CaseWorker, Organisation: "coop-stella"},
	"marta.gallo":    {Subject: "marta.gallo", Role: auth.HousingWorker, Organisation: "coop-aurora"},
	"elena.ferri":    {Subject: "elena.ferri", Role: auth.Counsellor, Organisation: "coop-aurora"},
	"gino.esposito":  {Subject: "gino.esposito", Role: auth.Employer, Organisation: "emp-trattoria-gino"},
	"franco.marino":  {Subject: "franco.marino", Role: auth.Trainer, Organisation: demoTrainingOrg},
	"sofia.ricci":    {Subject: "sofia.ricci", Role: auth.Monitoring, Organisation: "regione-lazio"}, // the Region's monitoring officer: aggregates only
}

const demoClass = "cl-it-a2-mattina"

// seedDemo writes the demo's class, people and lessons, records the
// registers of the past two weeks through the courses use case (so their
// events flow to the pathway like any other), and issues demo tokens.
// Running it again changes nothing.
func seedDemo(ctx context.Context, s *System, dir string) (*Demo, error) {
	now := time.Now()
	d := &Demo{ClassID: demoClass, People: demoPeople, Users: demoUsers, Tokens: map[string]string{}}

	class := &coursesdomain.Class{
		ID: demoClass, CourseID: "crs-italiano-a2", CourseKind: coursesdomain.ItalianL2,
		Title: "Italiano A2 — mattina (sede di Via Galvani)", Organisation: "cpia1-roma", Teachers: []string{"maria.rossi"},
	}
	for _, p := range demoPeople {
		class.Roster = append(class.Roster, coursesdomain.Enrolment{Person: p.Pseudonym, DisplayName: p.DisplayName, Status: coursesdomain.Enrolled})
		person := &pathwaydomain.Person{Pseudonym: p.Pseudonym, Organisation: "coop-aurora", DisplayName: p.DisplayName, CaseWorker: "giulia.bianchi", Since: now.AddDate(0, -3, 0)}
		if err := s.Pathway.Persons.Seed(ctx, person); err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
	}
	if err := s.Courses.Classes.Replace(ctx, class.ID, class); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}

	// Lessons on Monday, Wednesday and Friday mornings of the past two
	// weeks, and one today that started an hour ago.
	teacher := auth.With(ctx, demoUsers["maria.rossi"])
	for day := now.AddDate(0, 0, -14); day.Before(now.Truncate(24 * time.Hour)); day = day.AddDate(0, 0, 1) {
		if wd := day.Weekday(); wd != time.Monday && wd != time.Wednesday && wd != time.Friday {
			continue
		}
		start := time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, rome)
		lesson := &coursesdomain.Lesson{ID: "lez-" + start.Format("20060102"), ClassID: demoClass, Start: start, Minutes: 120, Status: coursesdomain.Scheduled}
		if err := s.Courses.Lessons.Replace(ctx, lesson.ID, lesson); err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
		_, _, err := s.Courses.Service.RecordRegister(teacher, lesson.ID, demoMarks(lesson.ID))
		if err != nil && errcode.Of(err) != errcode.Conflict {
			return nil, fmt.Errorf("demo register %s: %w", lesson.ID, err)
		}
	}
	today := &coursesdomain.Lesson{ID: "lez-oggi-" + now.In(rome).Format("20060102"), ClassID: demoClass, Start: now.Add(-time.Hour).Truncate(time.Minute), Minutes: 120, Status: coursesdomain.Scheduled}
	if err := s.Courses.Lessons.Replace(ctx, today.ID, today); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	d.TodayLessonID = today.ID
	housingDemo, err := seedHousingDemo(ctx, s, demoPeople)
	if err != nil {
		return nil, err
	}
	d.Housing = housingDemo
	if d.Jobs, err = seedJobsDemo(ctx, s, dir); err != nil {
		return nil, err
	}
	if d.Training, err = seedTrainingDemo(ctx, s, demoPeople); err != nil {
		return nil, err
	}
	if err := seedCaseWorkerDemo(ctx, s, now); err != nil {
		return nil, err
	}
	if err := seedWebAccounts(ctx, s); err != nil {
		return nil, err
	}

	tokens := filepath.Join(dir, "tokens")
	if err := os.MkdirAll(tokens, 0o700); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	for name, p := range demoUsers {
		tok, err := s.Issuer.Issue(p, 30*24*time.Hour)
		if err != nil {
			return nil, err
		}
		d.Tokens[name] = tok
		if err := os.WriteFile(filepath.Join(tokens, name), []byte(tok), 0o600); err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
	}
	return d, nil
}

// demoMarks gives each person a plausible, repeatable mark for a lesson.
func demoMarks(lessonID string) []register.Mark {
	marks := make([]register.Mark, len(demoPeople))
	for i, p := range demoPeople {
		h := fnv.New32a()
		h.Write([]byte(p.Pseudonym + lessonID))
		switch n := h.Sum32() % 10; {
		case n < 6:
			marks[i] = register.Mark{Person: p.Pseudonym, Status: register.Present}
		case n < 8:
			marks[i] = register.Mark{Person: p.Pseudonym, Status: register.Late, Minutes: 60 + int(n)*5}
		case n < 9:
			marks[i] = register.Mark{Person: p.Pseudonym, Status: register.Excused}
		default:
			marks[i] = register.Mark{Person: p.Pseudonym, Status: register.Absent}
		}
	}
	return marks
}

var rome = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		panic(err) // embedded by time/tzdata: cannot happen
	}
	return loc
}()

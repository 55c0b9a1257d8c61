package allinone

import (
	"context"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/register"
	"github.com/percorsi/percorsi/services/training"
	trainingdomain "github.com/percorsi/percorsi/services/training/domain"
)

// DemoTraining is what the training demo holds, for the welcome text and
// the tests.
type DemoTraining struct {
	CourseID  string
	EditionID string
	Trainer   string // user name of the edition's trainer
	Intern    string // pseudonym of the person at the host restaurant
}

const (
	demoTrainingOrg     = "cfp-lazio-ristorazione"
	demoTrainer         = "franco.marino"
	demoTrainingCourse  = "crs-aiuto-cuoco"
	demoTrainingEdition = "ed-aiuto-cuoco-2026"
)

// seedTrainingDemo writes a kitchen-assistant course of the Lazio
// repertoire (EQF 3), an edition taught by franco.marino with twice-weekly
// lessons, four demo people enrolled, the registers of the lessons held,
// the theory module closed, and Amina K.'s internship at Trattoria da Gino
// with its first days. It goes through the training use cases so the
// events flow like any other. It does nothing when the edition exists.
func seedTrainingDemo(ctx context.Context, s *System, people []DemoPerson) (*DemoTraining, error) {
	d := &DemoTraining{CourseID: demoTrainingCourse, EditionID: demoTrainingEdition, Trainer: demoTrainer, Intern: people[0].Pseudonym}
	coord := auth.With(ctx, auth.Principal{Subject: "demo-seed", Role: auth.Coordinator, Organisation: demoTrainingOrg})
	trainer := auth.With(ctx, demoUsers[demoTrainer])
	svc := s.Training.Service
	switch _, err := svc.Edition(coord, demoTrainingEdition); errcode.Of(err) {
	case "":
		return d, nil
	case errcode.NotFound:
	default:
		return nil, fmt.Errorf("demo training: %w", err)
	}

	course := &trainingdomain.Course{
		ID: demoTrainingCourse, Title: "Operatore della ristorazione — aiuto cuoco", RepertoireCode: "LAZ-RIST-AC-03",
		Region: "Lazio", Sector: "ristorazione", Provider: demoTrainingOrg, EQFLevel: 3, ESCOOccupation: "esco:occupation/5120",
		Modules: []trainingdomain.Module{
			{ID: "igiene", Title: "Igiene, HACCP e sicurezza sul lavoro", Kind: trainingdomain.Theory, Hours: 24},
			{ID: "laboratorio", Title: "Laboratorio di cucina", Kind: trainingdomain.Practice, Hours: 48},
			{ID: "tirocinio", Title: "Tirocinio in ristorante", Kind: trainingdomain.Internship, Hours: 120},
		},
		Units: []trainingdomain.Unit{
			{Code: "UC1", Title: "Igiene e sicurezza alimentare", ESCOSkills: []string{"esco:food-hygiene", "esco:haccp"}},
			{Code: "UC2", Title: "Preparazioni di base", ESCOSkills: []string{"esco:prepare-food"}},
			{Code: "UC3", Title: "Riordino della cucina", ESCOSkills: []string{"esco:clean-surfaces"}},
		},
	}
	if err := svc.PutCourse(coord, course); err != nil {
		return nil, fmt.Errorf("demo training course: %w", err)
	}

	// Tuesday and Thursday afternoons, four hours: six of theory, then
	// practice; the edition began five weeks ago.
	now := time.Now()
	first := now.AddDate(0, 0, -35)
	var lessons []trainingdomain.Lesson
	for day := first; len(lessons) < 18; day = day.AddDate(0, 0, 1) {
		if wd := day.Weekday(); wd != time.Tuesday && wd != time.Thursday {
			continue
		}
		module := "laboratorio"
		if len(lessons) < 6 {
			module = "igiene"
		}
		start := time.Date(day.Year(), day.Month(), day.Day(), 14, 0, 0, 0, rome)
		lessons = append(lessons, trainingdomain.Lesson{ID: "tr-" + start.Format("20060102"), ModuleID: module, Start: start, Minutes: 240})
	}
	_, err := svc.CreateEdition(coord, training.NewEdition{
		ID: demoTrainingEdition, CourseID: demoTrainingCourse, Trainers: []string{demoTrainer},
		Start: first.Truncate(24 * time.Hour), End: now.AddDate(0, 3, 0), Lessons: lessons,
	})
	if err != nil {
		return nil, fmt.Errorf("demo training edition: %w", err)
	}
	enrolled := people[:4]
	for _, p := range enrolled {
		if _, err := svc.Enrol(coord, demoTrainingEdition, p.Pseudonym, p.DisplayName); err != nil {
			return nil, fmt.Errorf("demo training enrolment: %w", err)
		}
	}
	for _, l := range lessons {
		if !l.Start.Before(now) {
			break
		}
		if _, _, err := svc.RecordRegister(trainer, l.ID, trainingMarks(l.ID, enrolled)); err != nil {
			return nil, fmt.Errorf("demo training register %s: %w", l.ID, err)
		}
	}
	if _, err := svc.CloseModule(trainer, demoTrainingEdition, "igiene"); err != nil {
		return nil, fmt.Errorf("demo training: close module: %w", err)
	}
	_, err = svc.PlaceIntern(trainer, demoTrainingEdition, d.Intern, trainingdomain.Placement{
		ModuleID: "tirocinio", HostID: "emp-trattoria-gino", HostName: "Trattoria da Gino", Tutor: "Gino Esposito", PlannedMinutes: 120 * 60,
	})
	if err != nil {
		return nil, fmt.Errorf("demo training internship: %w", err)
	}
	for back := 7; back >= 3; back-- {
		day := now.AddDate(0, 0, -back)
		if wd := day.Weekday(); wd == time.Tuesday || wd == time.Thursday || wd == time.Sunday {
			continue
		}
		if _, err := svc.RecordHours(trainer, demoTrainingEdition, d.Intern, day, 6*60); err != nil {
			return nil, fmt.Errorf("demo training internship hours: %w", err)
		}
	}
	return d, nil
}

// trainingMarks gives each person a plausible, repeatable mark.
func trainingMarks(lessonID string, people []DemoPerson) []register.Mark {
	marks := make([]register.Mark, len(people))
	for i, p := range people {
		h := fnv.New32a()
		h.Write([]byte(p.Pseudonym + lessonID))
		switch n := h.Sum32() % 10; {
		case n < 7:
			marks[i] = register.Mark{Person: p.Pseudonym, Status: register.Present}
		case n < 9:
			marks[i] = register.Mark{Person: p.Pseudonym, Status: register.Late, Minutes: 180}
		default:
			marks[i] = register.Mark{Person: p.Pseudonym, Status: register.Excused}
		}
	}
	return marks
}

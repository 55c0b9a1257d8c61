package chaos

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/process"
	"github.com/percorsi/percorsi/services/courses"
	coursesdomain "github.com/percorsi/percorsi/services/courses/domain"
	"github.com/percorsi/percorsi/services/housing"
	"github.com/percorsi/percorsi/services/jobs"
	jobsdomain "github.com/percorsi/percorsi/services/jobs/domain"
	"github.com/percorsi/percorsi/services/pathway"
	pathwaydomain "github.com/percorsi/percorsi/services/pathway/domain"
	"github.com/percorsi/percorsi/services/web"
	webdomain "github.com/percorsi/percorsi/services/web/domain"
)

const (
	signingKey = "chaos-signing-key-of-at-least-32-bytes!"
	// masterKeys wrap pathway's per-person keys: one 32-byte key, base64.
	masterKeys = "chaos:Y2hhb3MtbWFzdGVyLWtleS1vZi1leGFjdGx5LTMyYnk="
	password   = "chaos-run-password"
)

// The users of the run, each of the organisation its role works for.
var (
	teacher       = auth.Principal{Subject: "teacher", Role: auth.Teacher, Organisation: "cpia1"}
	caseWorker    = auth.Principal{Subject: "cw", Role: auth.CaseWorker, Organisation: "org1"}
	counsellor    = auth.Principal{Subject: "counsellor", Role: auth.Counsellor, Organisation: "org1"}
	housingWorker = auth.Principal{Subject: "hw", Role: auth.HousingWorker, Organisation: "org1"}
)

// world is what the run seeds and then drives: classes of people with
// lessons held every three hours of the past days (so every register is
// still open for recording), a placement per person awaiting its
// employer's confirmation, and a flat with room for everybody.
type world struct {
	classes, people, lessons int
	firstLesson              time.Time
	seeded                   time.Time         // when seeding began: the first events published
	tokens                   map[string]string // by subject
	flat                     string            // accommodation id
	placements               []placement       // one per person, in person order
}

type placement struct {
	id, person, token string
}

func newWorld(classes, people, lessons int) *world {
	now := time.Now().UTC().Truncate(time.Hour)
	return &world{
		classes: classes, people: people, lessons: lessons,
		firstLesson: now.Add(-time.Duration(3*lessons) * time.Hour),
		tokens:      map[string]string{},
	}
}

func (w *world) classID(c int) string        { return fmt.Sprintf("cl-%02d", c) }
func (w *world) person(c, p int) string      { return fmt.Sprintf("ps-%02d-%02d", c, p) }
func (w *world) lessonID(c, l int) string    { return fmt.Sprintf("les-%02d-%03d", c, l) }
func (w *world) stepID(person string) string { return "step-" + person }

func (w *world) persons() []string {
	var out []string
	for c := range w.classes {
		for p := range w.people {
			out = append(out, w.person(c, p))
		}
	}
	return out
}

// mark is what person p attends of lesson l.
func mark(p, l int) (status string, minutes int) {
	switch (p + l) % 7 {
	case 0:
		return "absent", 0
	case 1:
		return "late", 30 + (p+l)%60
	}
	return "present", 120
}

// seed writes the world through each service's own stores and use cases,
// opened in this process on the store directly, before any service
// process starts; what the use cases publish waits in their outboxes for
// the services' relays.
func seed(ctx context.Context, cfg process.Config, w *world, log *slog.Logger) error {
	w.seeded = time.Now()
	issuer, err := auth.NewHMAC([]byte(signingKey))
	if err != nil {
		return err
	}
	for _, p := range []auth.Principal{teacher, caseWorker, counsellor, housingWorker} {
		if w.tokens[p.Subject], err = issuer.Issue(p, 3*time.Hour); err != nil {
			return err
		}
	}
	steps := []func(context.Context, process.Config, *world, *slog.Logger) error{seedCourses, seedPathway, seedHousing, seedJobs, seedWeb}
	for _, step := range steps {
		if err := step(ctx, cfg, w, log); err != nil {
			return err
		}
	}
	return nil
}

// closeProcess releases what an opened but never run service holds.
func closeProcess(p *process.Process) {
	_ = p.Writer.Close()
	_ = p.Client.Disconnect(context.Background())
}

func seedCourses(ctx context.Context, cfg process.Config, w *world, log *slog.Logger) error {
	app, err := courses.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeProcess(app.Process)
	for c := range w.classes {
		class := &coursesdomain.Class{
			ID: w.classID(c), CourseID: "it-a2", CourseKind: coursesdomain.ItalianL2, Title: "Italiano A2",
			Organisation: teacher.Organisation, Teachers: []string{teacher.Subject},
		}
		for p := range w.people {
			class.Roster = append(class.Roster, coursesdomain.Enrolment{Person: w.person(c, p), DisplayName: "P", Status: coursesdomain.Enrolled})
		}
		if err := app.Classes.Replace(ctx, class.ID, class); err != nil {
			return fmt.Errorf("seed class: %w", err)
		}
		for l := range w.lessons {
			lesson := &coursesdomain.Lesson{
				ID: w.lessonID(c, l), ClassID: class.ID, Start: w.firstLesson.Add(time.Duration(3*l) * time.Hour),
				Minutes: 120, Status: coursesdomain.Scheduled,
			}
			if err := app.Lessons.Replace(ctx, lesson.ID, lesson); err != nil {
				return fmt.Errorf("seed lesson: %w", err)
			}
		}
	}
	return nil
}

func seedPathway(ctx context.Context, cfg process.Config, w *world, log *slog.Logger) error {
	app, err := pathway.Open(ctx, cfg, pathway.Config{MasterKeys: masterKeys}, log)
	if err != nil {
		return err
	}
	defer closeProcess(app.Process)
	for _, ps := range w.persons() {
		p := &pathwaydomain.Person{Pseudonym: ps, Organisation: caseWorker.Organisation, DisplayName: "P", CaseWorker: caseWorker.Subject, Since: time.Now().AddDate(0, -3, 0)}
		if err := app.Persons.Seed(ctx, p); err != nil {
			return fmt.Errorf("seed person: %w", err)
		}
	}
	return nil
}

func seedHousing(ctx context.Context, cfg process.Config, w *world, log *slog.Logger) error {
	app, err := housing.Open(ctx, cfg, housing.DefaultRentShare, log)
	if err != nil {
		return err
	}
	defer closeProcess(app.Process)
	a, err := app.Service.CreateAccommodation(auth.With(ctx, housingWorker), housing.AccommodationInput{
		Name: "Appartamento di semi-autonomia", Kind: "semi_autonomy_flat", Territory: "RM", Address: "Via Fittizia 1, Roma", Capacity: 200,
	})
	if err != nil {
		return fmt.Errorf("seed accommodation: %w", err)
	}
	w.flat = a.ID
	return nil
}

// seedJobs gives every person a job profile (with the Italian level and
// the work permit other services would have published), proposes them for
// one vacancy, and starts their placement; the employer's start link of
// each is kept for the load to confirm.
func seedJobs(ctx context.Context, cfg process.Config, w *world, log *slog.Logger) error {
	app, err := jobs.Open(ctx, cfg, jobs.DefaultConfig, log)
	if err != nil {
		return err
	}
	defer closeProcess(app.Process)
	svc, as := app.Service, auth.With(ctx, counsellor)
	today := time.Now().UTC().Truncate(24 * time.Hour)
	site := jobsdomain.Point{Lat: 41.888, Lon: 12.530}
	if err := svc.PutEmployer(as, &jobsdomain.Employer{ID: "emp-chaos", Name: "Trattoria", Sites: []jobsdomain.Site{{ID: "s1", Name: "Cucina", Municipality: "Roma", Location: site}}}); err != nil {
		return fmt.Errorf("seed employer: %w", err)
	}
	v, err := svc.PublishVacancy(as, &jobsdomain.Vacancy{
		EmployerID: "emp-chaos", SiteID: "s1", Title: "Aiuto cuoco/a", Occupation: "esco:occupation/5120", Sector: "ristorazione",
		Required: []string{"esco:prepare-food"}, MinItalian: jobsdomain.A1, WeeklyHours: 30, Shift: jobsdomain.Morning,
		Contract: jobsdomain.FixedTerm, Positions: 100, StartsOn: today.AddDate(0, 0, 14), ClosesOn: today.AddDate(0, 0, 10),
	})
	if err != nil {
		return fmt.Errorf("seed vacancy: %w", err)
	}
	for _, ps := range w.persons() {
		for _, f := range []*jobs.ProfileFact{
			{EventID: "seed-level-" + ps, Person: ps, Type: "percorsi.courses.v1.LevelAssessed", OccurredAt: today.AddDate(0, -1, 0), Italian: jobsdomain.A2},
			{EventID: "seed-permit-" + ps, Person: ps, Type: "percorsi.pathway.v1.PermitRecorded", OccurredAt: today.AddDate(0, -2, 0),
				Permit: &jobsdomain.Permit{Known: true, MayWork: true, ValidUntil: today.AddDate(1, 0, 0), At: today.AddDate(0, -2, 0)}},
		} {
			if err := svc.ApplyFact(ctx, f); err != nil {
				return fmt.Errorf("seed profile fact: %w", err)
			}
		}
		in := jobs.ProfileInput{
			DisplayName: "P", Skills: []jobsdomain.Skill{{Code: "esco:prepare-food", Evidence: jobsdomain.Assessed}},
			Home: site, AvailableFrom: today, Prefs: jobsdomain.Preferences{MaxWeeklyHours: 40, MaxCommuteKm: 25},
		}
		if _, err := svc.PutProfile(as, ps, in); err != nil {
			return fmt.Errorf("seed profile: %w", err)
		}
		prop, err := svc.Propose(as, ps, v.ID)
		if err != nil {
			return fmt.Errorf("seed proposal: %w", err)
		}
		if _, err := svc.RecordInterview(as, prop.ID, today, jobsdomain.Accepted); err != nil {
			return fmt.Errorf("seed interview: %w", err)
		}
		st, err := svc.StartPlacement(as, prop.ID, jobsdomain.PlacementTerms{StartsOn: today, EndsOn: today.AddDate(0, 6, 0), WeeklyHours: 30})
		if err != nil {
			return fmt.Errorf("seed placement: %w", err)
		}
		w.placements = append(w.placements, placement{id: st.Placement.ID, person: ps, token: st.Token})
	}
	return nil
}

// seedWeb gives the teacher and the case worker accounts on the pages.
func seedWeb(ctx context.Context, cfg process.Config, _ *world, log *slog.Logger) error {
	// web calls no service while seeding; the addresses only need to parse.
	none := "127.0.0.1:1"
	app, err := web.Open(ctx, web.Config{Config: cfg, CoursesGRPC: none, PathwayGRPC: none, TrainingGRPC: none, JobsGRPC: none, HousingGRPC: none}, log)
	if err != nil {
		return err
	}
	defer closeProcess(app.Process)
	hash, err := webdomain.HashPassword(password)
	if err != nil {
		return err
	}
	for _, p := range []auth.Principal{teacher, caseWorker} {
		a := &webdomain.Account{Username: p.Subject, DisplayName: p.Subject, Role: p.Role, Organisation: p.Organisation, PasswordHash: hash}
		if err := app.Accounts.Put(ctx, a); err != nil {
			return fmt.Errorf("seed account: %w", err)
		}
	}
	return nil
}

package courses_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/pkg/register"
	"github.com/percorsi/percorsi/pkg/versioned"
	"github.com/percorsi/percorsi/services/courses"
	"github.com/percorsi/percorsi/services/courses/domain"
)

// BenchmarkServiceRegister is the service's own cost per register of
// twenty marks, apart from any store: open the lesson, check the marks,
// derive and seal the twenty AttendanceRecorded events, count the figures.
// The repositories below exist only to measure this; the service runs on
// MongoDB.
func BenchmarkServiceRegister(b *testing.B) {
	mem := newMemory()
	class := &domain.Class{ID: "c1", CourseID: "it-a2", CourseKind: domain.ItalianL2, Organisation: "cpia1", Teachers: []string{"teacher"}, PlannedMinutes: 12000}
	for p := range benchClassSize {
		class.Roster = append(class.Roster, domain.Enrolment{Person: fmt.Sprintf("ps-%02d", p), DisplayName: "P", Status: domain.Enrolled})
	}
	mem.classes[class.ID] = class
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	svc := courses.NewService(courses.Stores{Classes: memClasses{mem}, Lessons: mem, Registers: memRegisters{mem}}, domain.DefaultConfig(), func() time.Time { return now }, func() string { return "id" })
	ctx := auth.With(context.Background(), auth.Principal{Subject: "teacher", Role: auth.Teacher, Organisation: "cpia1"})
	marks := make([]register.Mark, benchClassSize)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		id := fmt.Sprintf("l%d", i)
		mem.lessons[id] = &domain.Lesson{ID: id, ClassID: "c1", Start: now.Add(-time.Hour), Minutes: 120, Status: domain.Scheduled}
		if i%100 == 0 { // a class holds about a hundred lessons a year
			class.Counted, mem.registers = nil, map[string]*domain.Register{}
		}
		view, err := svc.Lesson(ctx, id)
		if err != nil {
			b.Fatal(err)
		}
		for j, p := range view.Class.Expected() {
			marks[j] = benchMark(p, i+j)
		}
		if _, _, err := svc.RecordRegister(ctx, id, marks); err != nil {
			b.Fatal(err)
		}
	}
}

// memory implements the domain repositories in a map, for the benchmark
// of the service's own cost only: it copies nothing, as a store's decoding
// would, so what is measured is the service.
type memory struct {
	classes   map[string]*domain.Class
	lessons   map[string]*domain.Lesson
	registers map[string]*domain.Register
}

func newMemory() *memory {
	return &memory{classes: map[string]*domain.Class{}, lessons: map[string]*domain.Lesson{}, registers: map[string]*domain.Register{}}
}

func (m *memory) notFound(what string) error {
	return errcode.New(errcode.NotFound, "", "%s not found", what)
}

func (m *memory) Get(_ context.Context, id string) (*domain.Lesson, error) {
	if l, ok := m.lessons[id]; ok {
		return l, nil
	}
	return nil, m.notFound("lesson")
}

func (m *memory) Create(_ context.Context, id string, l *domain.Lesson, _ []outbox.Message) error {
	m.lessons[id] = l
	return nil
}

func (m *memory) Update(ctx context.Context, id string, change versioned.Change[domain.Lesson]) (*domain.Lesson, error) {
	return update(m.Get(ctx, id))(change)
}

// update applies a change to a value got, as a store would.
func update[T any](t *T, err error) func(versioned.Change[T]) (*T, error) {
	return func(change versioned.Change[T]) (*T, error) {
		if err != nil {
			return nil, err
		}
		_, err := change(t)
		return t, err
	}
}

func (m *memory) Add(_ context.Context, ls []domain.Lesson) error {
	for i := range ls {
		m.lessons[ls[i].ID] = &ls[i]
	}
	return nil
}

func (m *memory) Between(context.Context, []string, time.Time, time.Time) ([]*domain.Lesson, error) {
	return nil, nil
}

// memClasses gives memory the Classes methods whose names clash with the
// lesson ones.
type memClasses struct{ *memory }

func (m memClasses) Get(_ context.Context, id string) (*domain.Class, error) {
	if c, ok := m.classes[id]; ok {
		return c, nil
	}
	return nil, m.notFound("class")
}

func (m memClasses) Put(_ context.Context, id string, _ int64, c *domain.Class, _ []outbox.Message) (bool, error) {
	m.classes[id] = c
	return true, nil
}

func (m memClasses) Create(ctx context.Context, id string, c *domain.Class, events []outbox.Message) error {
	_, err := m.Put(ctx, id, 0, c, events)
	return err
}

func (m memClasses) Update(ctx context.Context, id string, change versioned.Change[domain.Class]) (*domain.Class, error) {
	return update(m.Get(ctx, id))(change)
}

func (m memClasses) Teaching(context.Context, string, string) ([]*domain.Class, error) {
	return nil, nil
}

func (m memClasses) Counted(context.Context) (map[string][]string, error) {
	out := map[string][]string{}
	for id, c := range m.classes {
		out[id] = c.Counted
	}
	return out, nil
}

// memRegisters gives memory the Registers methods.
type memRegisters struct{ *memory }

func (m memRegisters) Create(_ context.Context, id string, r *domain.Register, _ []outbox.Message) error {
	if _, ok := m.registers[id]; ok {
		return errcode.New(errcode.Conflict, "", "exists")
	}
	m.registers[id] = r
	return nil
}

func (m memRegisters) Get(_ context.Context, id string) (*domain.Register, error) {
	if r, ok := m.registers[id]; ok {
		return r, nil
	}
	return nil, m.notFound("register")
}

func (m memRegisters) Update(ctx context.Context, id string, change versioned.Change[domain.Register]) (*domain.Register, error) {
	return update(m.Get(ctx, id))(change)
}

func (m memRegisters) OfClass(_ context.Context, classID string) ([]*domain.Register, error) {
	var out []*domain.Register
	for _, r := range m.registers {
		if r.ClassID == classID {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b *domain.Register) int { return a.LessonStart.Compare(b.LessonStart) })
	return out, nil
}

func (m memRegisters) Recorded(context.Context) (map[string][]string, error) {
	out := map[string][]string{}
	for id, r := range m.registers {
		out[r.ClassID] = append(out[r.ClassID], id)
	}
	return out, nil
}

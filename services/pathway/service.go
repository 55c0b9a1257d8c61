// Package pathway is the service that follows each person's road to
// autonomy: it consumes the facts the other services publish and shows them
// on one timeline to the case worker of the organisation in charge.
package pathway

import (
	"context"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/services/pathway/domain"
)

// Service holds the use cases.
type Service struct {
	persons  domain.Persons
	timeline domain.Timeline
}

// NewService returns the use cases over the given stores.
func NewService(p domain.Persons, t domain.Timeline) *Service {
	return &Service{persons: p, timeline: t}
}

// Record adds facts to people's timelines. It is idempotent by event id,
// so redelivered events change nothing.
// Errors: Invalid for an entry without id or person.
func (s *Service) Record(ctx context.Context, entries ...*domain.Entry) error {
	for _, e := range entries {
		switch {
		case e.EventID == "":
			return errcode.New(errcode.Invalid, "event_id", "is required")
		case e.Person == "":
			return errcode.New(errcode.Invalid, "person_pseudonym", "is required")
		}
	}
	if len(entries) == 0 {
		return nil
	}
	return s.timeline.Add(ctx, entries...)
}

// TimelineView is a person's pathway so far.
type TimelineView struct {
	Person  *domain.Person
	Entries []domain.Entry
	// Minutes attended by course kind, counted from the entries.
	MinutesByCourse map[string]int
}

// Timeline returns a person's timeline to a case worker of the organisation
// in charge. Errors: NotFound, Forbidden.
func (s *Service) Timeline(ctx context.Context, pseudonym string) (*TimelineView, error) {
	p, err := s.person(ctx, pseudonym)
	if err != nil {
		return nil, err
	}
	entries, err := s.timeline.List(ctx, pseudonym)
	if err != nil {
		return nil, err
	}
	v := &TimelineView{Person: p, Entries: entries, MinutesByCourse: map[string]int{}}
	for _, e := range entries {
		if a := e.Attendance; a != nil {
			v.MinutesByCourse[a.CourseKind] += a.Minutes
		}
	}
	return v, nil
}

func (s *Service) person(ctx context.Context, pseudonym string) (*domain.Person, error) {
	if pseudonym == "" {
		return nil, errcode.New(errcode.Invalid, "pseudonym", "is required")
	}
	caller, ok := auth.From(ctx)
	if !ok {
		return nil, errcode.New(errcode.Unauthorized, "authorization", "a signed-in user is required")
	}
	p, err := s.persons.Get(ctx, pseudonym)
	if err != nil {
		return nil, err
	}
	if caller.Role != auth.CaseWorker || caller.Organisation != p.Organisation {
		return nil, errcode.New(errcode.Forbidden, "pseudonym", "this person is followed by another organisation")
	}
	return p, nil
}

package pathway

import (
	"context"

	"github.com/percorsi/percorsi/services/pathway/domain"
)

// TimelineView is a person's pathway so far.
type TimelineView struct {
	Person  *domain.Person
	Entries []domain.Entry
	// Minutes attended by course kind (italian_l2, digital, vocational)
	// as last corrected, and of internship.
	MinutesByCourse map[string]int
}

// Timeline returns a person's timeline to a case worker of the organisation
// in charge. Errors: NotFound, Forbidden.
func (s *Service) Timeline(ctx context.Context, pseudonym string) (*TimelineView, error) {
	p, err := s.Person(ctx, pseudonym)
	if err != nil {
		return nil, err
	}
	entries, err := s.timeline.List(ctx, pseudonym)
	if err != nil {
		return nil, err
	}
	v := &TimelineView{Person: p, Entries: entries, MinutesByCourse: map[string]int{}}
	for _, e := range domain.Effective(entries) {
		switch {
		case e.Attendance != nil:
			v.MinutesByCourse[e.Attendance.CourseKind] += e.Attendance.Minutes
		case e.Fact != nil && e.Fact.Kind == domain.FactInternshipHours:
			v.MinutesByCourse["internship"] += e.Fact.Minutes
		}
	}
	return v, nil
}

// AutonomyView is where a person is and how they got there.
type AutonomyView struct {
	Now     domain.Assessment
	History []domain.StagePoint
	Rules   domain.Rules
}

// Autonomy assesses a person. Errors: NotFound, Forbidden.
func (s *Service) Autonomy(ctx context.Context, pseudonym string) (*AutonomyView, error) {
	p, err := s.Person(ctx, pseudonym)
	if err != nil {
		return nil, err
	}
	entries, err := s.timeline.List(ctx, pseudonym)
	if err != nil {
		return nil, err
	}
	now := p.AssessedAt(s.now())
	return &AutonomyView{Now: s.rules.Assess(entries, now), History: s.rules.History(entries, p.Since, now), Rules: s.rules}, nil
}

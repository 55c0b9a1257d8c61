package pathway

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/versioned"
	"github.com/percorsi/percorsi/services/pathway/domain"
)

// Record adds facts to people's timelines and marks the people touched for
// a check (CheckTouched). It is idempotent by event id, so
// redelivered events change nothing.
// Errors: Invalid for an entry without id or person.
func (s *Service) Record(ctx context.Context, entries ...*domain.Entry) error {
	if err := s.record(ctx, entries); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range entries {
		// Pathway's own facts count too: a permit recorded changes the
		// stage once it is on the timeline.
		s.touched[e.Person] = true
	}
	return nil
}

// record adds entries to the timelines.
func (s *Service) record(ctx context.Context, entries []*domain.Entry) error {
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

// CheckTouched checks the alerts and the caseload summary of the people
// whose facts arrived since the last call. The checks run apart from Record
// so that the consumer keeps its pace; the set lives in memory, and the
// periodic Sweep covers what a restart forgets.
func (s *Service) CheckTouched(ctx context.Context) error {
	s.mu.Lock()
	touched := slices.Collect(maps.Keys(s.touched))
	s.touched = map[string]bool{}
	s.mu.Unlock()
	if done, err := s.check(ctx, touched...); err != nil {
		s.mu.Lock()
		for _, p := range touched[done:] {
			s.touched[p] = true // try them again next time
		}
		s.mu.Unlock()
		return err
	}
	return nil
}

// checkBatch is how many people a check reads at once.
const checkBatch = 500

// check raises the alerts the facts of the people named call for, clears
// those later facts undid, and keeps the stage and last activity the
// caseload shows. It reads the timelines a batch of people at a time, in
// one query, as the facts of one register touch a whole class; each person
// is then read and written by pseudonym. People pathway does not follow
// have none. It returns how many people it checked, in order, before an
// error.
func (s *Service) check(ctx context.Context, pseudonyms ...string) (done int, err error) {
	for batch := range slices.Chunk(pseudonyms, checkBatch) {
		timelines, err := s.timeline.ListEach(ctx, batch)
		if err != nil {
			return done, err
		}
		for _, pseudonym := range batch {
			if err := s.checkOne(ctx, pseudonym, timelines[pseudonym]); err != nil && errcode.Of(err) != errcode.NotFound {
				return done, err
			}
			done++
		}
	}
	return done, nil
}

// checkOne is check of one person, given their timeline. Most facts move
// only the stage or the last activity, written apart from the person;
// alerts raised or cleared go through Update, with their events.
func (s *Service) checkOne(ctx context.Context, pseudonym string, entries []domain.Entry) error {
	now := s.now()
	p, err := s.persons.Get(ctx, pseudonym)
	if err != nil {
		return err
	}
	if raise, clear := s.rules.Check(p, entries, now); len(raise) == 0 && len(clear) == 0 {
		stage, last := s.summary(p, entries, now)
		if stage == p.Stage && last.Equal(p.LastActivity) {
			return nil
		}
		return s.persons.Summarise(ctx, pseudonym, stage, last)
	}
	_, err = s.persons.Update(ctx, pseudonym, change(ctx, func(p *domain.Person) ([]domain.Event, error) {
		raise, clear := s.rules.Check(p, entries, now)
		stage, last := s.summary(p, entries, now)
		if len(raise) == 0 && len(clear) == 0 && stage == p.Stage && last.Equal(p.LastActivity) {
			return nil, versioned.ErrNoChange
		}
		p.Stage, p.LastActivity = stage, last
		var evs []domain.Event
		for _, a := range raise {
			p.Alerts = append(p.Alerts, a)
			evs = append(evs, domain.Event{Kind: domain.FactAlertRaised, At: now, Person: p, Alert: &a})
		}
		for i := range p.Alerts {
			if slices.Contains(clear, p.Alerts[i].ID) {
				p.Alerts[i].ResolvedAt, p.Alerts[i].ResolvedBy = now, "system"
				evs = append(evs, domain.Event{Kind: domain.FactAlertResolved, At: now, Person: p, Alert: &p.Alerts[i], How: "cleared"})
			}
		}
		return evs, nil
	}))
	return err
}

// summary is the stage and last activity of p at now, as the caseload
// shows them: a closed pathway is assessed as it was on its closing day.
func (s *Service) summary(p *domain.Person, entries []domain.Entry, now time.Time) (domain.Stage, time.Time) {
	now = p.AssessedAt(now)
	return s.rules.Assess(entries, now).Stage, domain.LastActivity(p, entries, now)
}

// Sweep checks the time-driven alerts (a permit nearing expiry, inactivity)
// and stages (a placement reaching its months) of every open pathway; it
// runs periodically.
func (s *Service) Sweep(ctx context.Context) error {
	all, err := s.persons.All(ctx)
	if err != nil {
		return err
	}
	var open []string
	for _, p := range all {
		if p.Closed == nil {
			open = append(open, p.Pseudonym)
		}
	}
	if _, err := s.check(ctx, open...); err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	return nil
}

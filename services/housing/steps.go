package housing

import (
	"context"
	"slices"

	"github.com/google/uuid"

	"github.com/percorsi/percorsi/pkg/endpointkit"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/services/housing/domain"
)

// StepInput is a step to start. ID is optional: a client that sends one can
// retry the request safely.
type StepInput struct {
	ID, Person, Kind, AccommodationID, Start string
}

// StartStep starts a person's housing step, taking a place when the step is
// in an accommodation of the caller's organisation. Retrying with the same
// id returns the stored step with created false.
// Errors: Invalid naming the field; NotFound or Forbidden naming
// accommodation_id; Conflict naming accommodation_id when no place is free,
// person when the person already has an open step, id when the id is used.
func (s *Service) StartStep(ctx context.Context, in StepInput) (step *domain.Step, created bool, err error) {
	st, acc, err := s.newStep(ctx, in, nil)
	if err != nil {
		return nil, false, err
	}
	if stored, err := s.Steps.Get(ctx, st.ID); err == nil {
		return retried(stored, st)
	} else if errcode.Of(err) != errcode.NotFound {
		return nil, false, err
	}
	if err := s.recordStart(ctx, st, capacity(acc)); err != nil {
		return nil, false, err
	}
	return st, true, nil
}

// MoveInput is the step a person moves to.
type MoveInput struct {
	Kind, AccommodationID, Start string
}

// MoveStep ends an open step and starts the next one, from the same date.
// The next place is taken first, so a person is never left without one
// when the next accommodation is full. The next step's id derives from the
// step it follows, so a step is followed once: a retry, or a move racing
// another, completes the same move.
// Errors: as StartStep, and Conflict naming step_id if the step has ended.
func (s *Service) MoveStep(ctx context.Context, fromID string, in MoveInput) (*domain.Step, error) {
	from, err := s.ownStep(ctx, fromID)
	if err != nil {
		return nil, err
	}
	next, acc, err := s.newStep(ctx, StepInput{
		ID: NextStepID(from.ID), Person: from.Person, Kind: in.Kind, AccommodationID: in.AccommodationID, Start: in.Start,
	}, from)
	if err != nil {
		return nil, err
	}
	stored, err := s.Steps.Get(ctx, next.ID)
	switch {
	case err == nil:
		next = stored // a retried move: the next step is there
	case errcode.Of(err) != errcode.NotFound:
		return nil, err
	case !from.Open():
		return nil, errcode.New(errcode.Conflict, "step_id", "the step has already ended")
	default:
		err := s.recordStart(ctx, next, capacity(acc))
		if e := errcode.As(err); e != nil && e.Code == errcode.Conflict && e.Field == "id" {
			// A racing move of the same step got there first.
			next, err = s.Steps.Get(ctx, next.ID)
			if errcode.Of(err) == errcode.NotFound {
				return nil, errcode.New(errcode.Conflict, "step_id", "another request is moving this step; retry shortly")
			}
		}
		if err != nil {
			return nil, err
		}
	}
	if !from.Open() {
		return next, nil
	}
	p, _ := caller(ctx)
	if err := from.Close(next.Start, domain.MovedOn, domain.Destination(next.Kind), p.Subject, s.now()); err != nil {
		return nil, err
	}
	if err := s.recordEnd(ctx, from, false); err != nil && errcode.Of(err) != errcode.Conflict {
		return nil, err
	}
	return next, nil
}

// EndInput is how a person left the housing pathway.
type EndInput struct {
	End, Reason, Destination string
}

// EndStep ends a person's open step as an exit from the housing pathway,
// freeing its place. Errors: Invalid naming the field, NotFound, Forbidden,
// Conflict naming step_id when it has already ended.
func (s *Service) EndStep(ctx context.Context, id string, in EndInput) (*domain.Step, error) {
	st, err := s.ownStep(ctx, id)
	if err != nil {
		return nil, err
	}
	end, err := endpointkit.Date("end", in.End, nil)
	if err != nil {
		return nil, err
	}
	if err := domain.CheckExitReason(domain.ExitReason(in.Reason)); err != nil {
		return nil, err
	}
	p, _ := caller(ctx)
	if err := st.Close(end, domain.ExitReason(in.Reason), domain.Destination(in.Destination), p.Subject, s.now()); err != nil {
		return nil, err
	}
	if err := s.recordEnd(ctx, st, true); err != nil {
		return nil, err
	}
	return st, nil
}

// recordStart stores st with its HousingStepStarted.
func (s *Service) recordStart(ctx context.Context, st *domain.Step, capacity int) error {
	msgs, err := s.events.StepStarted(ctx, st)
	if err != nil {
		return err
	}
	return s.Steps.Start(ctx, st, capacity, msgs)
}

// recordEnd stores the end of st (closed) with its HousingStepEnded, and
// HousingExited on an exit.
func (s *Service) recordEnd(ctx context.Context, st *domain.Step, exit bool) error {
	msgs, err := s.events.StepEnded(ctx, st, exit)
	if err != nil {
		return err
	}
	return s.Steps.End(ctx, st, exit, msgs)
}

// newStep checks a step to start for the caller, after from when moving.
func (s *Service) newStep(ctx context.Context, in StepInput, from *domain.Step) (*domain.Step, *domain.Accommodation, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, nil, err
	}
	id, err := checkID("id", in.ID)
	if err != nil {
		return nil, nil, err
	}
	if err := domain.Pseudonym("person", in.Person); err != nil {
		return nil, nil, err
	}
	start, err := endpointkit.Date("start", in.Start, nil)
	if err != nil {
		return nil, nil, err
	}
	if from != nil && start.Before(from.Start) {
		return nil, nil, errcode.New(errcode.Invalid, "start", "is before the start of the step it follows")
	}
	var acc *domain.Accommodation
	if in.AccommodationID != "" {
		if acc, err = s.managed(ctx, "accommodation_id", in.AccommodationID); err != nil {
			return nil, nil, err
		}
	}
	st, err := domain.NewStep(id, in.Person, p.Organisation, domain.Kind(in.Kind), acc, start, p.Subject, s.now())
	if err != nil {
		return nil, nil, err
	}
	if from != nil {
		st.Previous = from.ID
	}
	return st, acc, nil
}

// NextStepID is the id of the step that follows the step from: a name-based
// UUID, the same every time.
func NextStepID(from string) string {
	return uuid.NewSHA1(nextStepSpace, []byte(from)).String()
}

var nextStepSpace = uuid.MustParse("0e6f1b6a-3f57-4a8e-9c43-6b0c2d1a7e55")

// retried answers a start whose id is already stored: the same step is a
// harmless retry, another one a conflict.
func retried(stored, asked *domain.Step) (*domain.Step, bool, error) {
	if stored.Person == asked.Person && stored.Kind == asked.Kind && stored.AccommodationID == asked.AccommodationID && stored.Start.Equal(asked.Start) {
		return stored, false, nil
	}
	return nil, false, errcode.New(errcode.Conflict, "id", "a different step with this id already exists")
}

// ownStep loads a step the caller's organisation recorded.
func (s *Service) ownStep(ctx context.Context, id string) (*domain.Step, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if id == "" {
		return nil, errcode.New(errcode.Invalid, "step_id", "is required")
	}
	st, err := s.Steps.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if st.Organisation != p.Organisation {
		return nil, errcode.New(errcode.Forbidden, "step_id", "the step was recorded by another organisation")
	}
	return st, nil
}

func capacity(a *domain.Accommodation) int {
	if a == nil {
		return 0
	}
	return a.Capacity
}

// PersonHousing is a person's housing so far. Steps recorded by other
// organisations show their kind and dates only.
type PersonHousing struct {
	Person       string
	Steps        []domain.Step
	RentSupports []domain.RentSupport
	Proposals    []domain.Proposal
	Profile      *domain.Profile // nil when none, or another organisation's
}

// Person returns a person's housing to a housing or case worker. Rent
// support, proposals and profile are the caller's organisation's only.
// Errors: Invalid.
func (s *Service) Person(ctx context.Context, person string) (*PersonHousing, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := domain.Pseudonym("pseudonym", person); err != nil {
		return nil, err
	}
	steps, err := s.Steps.ByPerson(ctx, person)
	if err != nil {
		return nil, err
	}
	// Which organisation, let alone which accommodation, could tell where
	// the person lives: another organisation sees kinds and dates only.
	for i := range steps {
		if steps[i].Organisation != p.Organisation {
			steps[i].Organisation, steps[i].AccommodationID, steps[i].RecordedBy, steps[i].EndedBy = "", "", "", ""
		}
	}
	rs, err := s.RentSupports.ByPerson(ctx, person)
	if err != nil {
		return nil, err
	}
	ps, err := s.Proposals.ByPerson(ctx, person)
	if err != nil {
		return nil, err
	}
	out := &PersonHousing{
		Person: person, Steps: steps,
		RentSupports: slices.DeleteFunc(rs, func(r domain.RentSupport) bool { return r.Organisation != p.Organisation }),
		Proposals:    slices.DeleteFunc(ps, func(x domain.Proposal) bool { return x.Organisation != p.Organisation }),
	}
	prof, err := s.Profiles.Get(ctx, person)
	switch {
	case err == nil && prof.Organisation == p.Organisation:
		out.Profile = prof
	case err != nil && errcode.Of(err) != errcode.NotFound:
		return nil, err
	}
	return out, nil
}

// ExportRow is one line of an organisation's steps export, with the
// accommodation's name, never its address.
type ExportRow struct {
	domain.Step
	AccommodationName string
	Territory         string
}

// ExportSteps returns every step the caller's organisation recorded, for
// the export its reporting (e.g. to SIRIT) needs.
func (s *Service) ExportSteps(ctx context.Context) ([]ExportRow, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	steps, err := s.Steps.ByOrganisation(ctx, p.Organisation)
	if err != nil {
		return nil, err
	}
	accs, err := s.Accommodations.ByOrganisation(ctx, p.Organisation)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]domain.Accommodation, len(accs))
	for _, a := range accs {
		byID[a.ID] = a
	}
	rows := make([]ExportRow, len(steps))
	for i, st := range steps {
		a := byID[st.AccommodationID]
		rows[i] = ExportRow{Step: st, AccommodationName: a.Name, Territory: a.Territory}
	}
	return rows, nil
}

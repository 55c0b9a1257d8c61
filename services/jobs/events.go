package jobs

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/events"
	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/pkg/versioned"
	coursesv1 "github.com/percorsi/percorsi/proto/percorsi/courses/v1"
	jobsv1 "github.com/percorsi/percorsi/proto/percorsi/jobs/v1"
	pathwayv1 "github.com/percorsi/percorsi/proto/percorsi/pathway/v1"
	trainingv1 "github.com/percorsi/percorsi/proto/percorsi/training/v1"
	"github.com/percorsi/percorsi/services/jobs/domain"
)

// Topics jobs publishes to, consumes, and dead-letters into.
const (
	Topic           = "percorsi.jobs.events"
	DeadLetterTopic = "percorsi.jobs.deadletter"
	CoursesTopic    = "percorsi.courses.events"
	TrainingTopic   = "percorsi.training.events"
	PathwayTopic    = "percorsi.pathway.events"
	ConsumerGroup   = "jobs"
)

const producer = "jobs"

// Seal turns the facts of one write into the events stored with it, keyed
// by pseudonym and carrying no personal data.
func Seal(ctx context.Context, facts ...domain.Fact) ([]outbox.Message, error) {
	msgs := make([]outbox.Message, 0, len(facts))
	for _, f := range facts {
		person, org, at, payload := factPayload(f)
		msg, err := outbox.Seal(ctx, Topic, events.Meta{
			ID: events.NewID(), Person: person, Organisation: org, Producer: producer,
			OccurredAt: at, RecordedAt: time.Now(),
		}, payload)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, msg)
	}
	return msgs, nil
}

// sealed is the change of a stored T that change makes, with the events of
// the facts it returns.
func sealed[T any](ctx context.Context, change func(*T) ([]domain.Fact, error)) versioned.Change[T] {
	return func(t *T) ([]outbox.Message, error) {
		facts, err := change(t)
		if err != nil {
			return nil, err
		}
		return Seal(ctx, facts...)
	}
}

func factPayload(f domain.Fact) (person, org string, at time.Time, payload proto.Message) {
	switch f := f.(type) {
	case domain.ProfileUpdated:
		return f.Person, f.Organisation, f.At, &jobsv1.ProfileUpdated{Fields: f.Fields, Source: f.Source}
	case domain.VacancyPublished:
		v := f.Vacancy
		// A vacancy concerns no person; the envelope requires a key.
		return "vacancy/" + v.ID, v.Organisation, f.At, &jobsv1.VacancyPublished{
			VacancyId: v.ID, EmployerId: v.EmployerID, EscoOccupation: v.Occupation, Contract: contractKind(v.Contract),
			Positions: uint32(v.Positions), WeeklyHours: uint32(v.WeeklyHours),
			StartsOn: timestamppb.New(v.StartsOn), ClosesOn: timestamppb.New(v.ClosesOn),
		}
	case domain.MatchProposed:
		p := f.Proposal
		return p.Person, p.Organisation, p.ProposedAt, &jobsv1.MatchProposed{
			ProposalId: p.ID, VacancyId: p.VacancyID, EmployerId: p.EmployerID, Score: uint32(p.Score),
		}
	case domain.InterviewHeld:
		p := f.Proposal
		return p.Person, p.Organisation, p.InterviewOn, &jobsv1.InterviewHeld{
			ProposalId: p.ID, VacancyId: p.VacancyID, HeldOn: timestamppb.New(p.InterviewOn), Outcome: outcome(p.Status),
		}
	case domain.PlacementStarted:
		p := f.Placement
		ev := &jobsv1.PlacementStarted{
			PlacementId: p.ID, VacancyId: p.VacancyID, EmployerId: p.EmployerID, Contract: contractKind(p.Contract),
			StartsOn: timestamppb.New(p.StartsOn), WeeklyHours: uint32(p.WeeklyHours),
			MonthlyAllowanceCents: uint32(p.AllowanceCents), DurationMonths: uint32(p.DurationMonths),
		}
		if !p.EndsOn.IsZero() {
			ev.EndsOn = timestamppb.New(p.EndsOn)
		}
		return p.Person, p.Organisation, p.StartsOn, ev
	case domain.PlacementConfirmed:
		p := f.Placement
		ev := &jobsv1.PlacementConfirmed{PlacementId: p.ID, Kind: jobsv1.ConfirmationKind_CONFIRMATION_KIND_START, On: timestamppb.New(p.StartsOn), WeeklyHours: uint32(p.WeeklyHours)}
		if f.Purpose == domain.ConfirmEnd {
			ev.Kind, ev.On = jobsv1.ConfirmationKind_CONFIRMATION_KIND_END, timestamppb.New(p.EndedOn)
		}
		return p.Person, p.Organisation, f.At, ev
	case domain.PlacementUnconfirmed:
		p := f.Placement
		return p.Person, p.Organisation, f.At, &jobsv1.PlacementUnconfirmed{PlacementId: p.ID, EmployerId: p.EmployerID, DaysWaited: uint32(f.DaysWaited)}
	case domain.PlacementEnded:
		p := f.Placement
		return p.Person, p.Organisation, p.EndedOn, &jobsv1.PlacementEnded{
			PlacementId: p.ID, EndedOn: timestamppb.New(p.EndedOn), Reason: endReason(p.EndReason), ConfirmedByEmployer: p.EndConfirmed,
		}
	case domain.FollowUpRecorded:
		p := f.Placement
		return p.Person, p.Organisation, f.FollowUp.RecordedAt, &jobsv1.FollowUpRecorded{
			PlacementId: p.ID, Month: uint32(f.FollowUp.Month), StillWorking: f.FollowUp.StillWorking, WeeklyHours: uint32(f.FollowUp.WeeklyHours),
		}
	}
	panic(fmt.Sprintf("jobs: no event for fact %T", f)) // a new fact without its event is a bug
}

func contractKind(k domain.ContractKind) jobsv1.ContractKind {
	switch k {
	case domain.Internship:
		return jobsv1.ContractKind_CONTRACT_KIND_INTERNSHIP
	case domain.Apprenticeship:
		return jobsv1.ContractKind_CONTRACT_KIND_APPRENTICESHIP
	case domain.FixedTerm:
		return jobsv1.ContractKind_CONTRACT_KIND_FIXED_TERM
	case domain.Permanent:
		return jobsv1.ContractKind_CONTRACT_KIND_PERMANENT
	}
	return jobsv1.ContractKind_CONTRACT_KIND_UNSPECIFIED
}

func outcome(s domain.ProposalStatus) jobsv1.InterviewOutcome {
	switch s {
	case domain.Accepted:
		return jobsv1.InterviewOutcome_INTERVIEW_OUTCOME_ACCEPTED
	case domain.Rejected:
		return jobsv1.InterviewOutcome_INTERVIEW_OUTCOME_REJECTED
	case domain.Withdrawn:
		return jobsv1.InterviewOutcome_INTERVIEW_OUTCOME_WITHDRAWN
	}
	return jobsv1.InterviewOutcome_INTERVIEW_OUTCOME_UNSPECIFIED
}

func endReason(r domain.EndReason) jobsv1.EndReason {
	switch r {
	case domain.Completed:
		return jobsv1.EndReason_END_REASON_COMPLETED
	case domain.Resigned:
		return jobsv1.EndReason_END_REASON_RESIGNED
	case domain.Dismissed:
		return jobsv1.EndReason_END_REASON_DISMISSED
	case domain.Hired:
		return jobsv1.EndReason_END_REASON_HIRED
	case domain.OtherEnd:
		return jobsv1.EndReason_END_REASON_OTHER
	}
	return jobsv1.EndReason_END_REASON_UNSPECIFIED
}

// ProfileFact is a fact another service published about a person that
// the person's candidate profile keeps.
type ProfileFact struct {
	EventID    string
	Person     string
	Type       string // the event type, recorded as the change's source
	OccurredAt time.Time
	// One of these is set.
	Italian       domain.Level
	Digital       map[string]int
	Skills        []string // certified ESCO skills
	Qualification *domain.Qualification
	Permit        *domain.Permit
}

// ApplyRequest asks to apply a fact; Fact is nil for an event jobs has no
// use for (attendance, or a newer type).
type ApplyRequest struct {
	Fact *ProfileFact
}

// DecodeEvent opens an envelope from the courses, training or pathway
// topics into an ApplyRequest. What can't be decoded is errcode.Invalid:
// the subscriber dead-letters it.
func DecodeEvent(_ context.Context, m kafka.Message) (any, error) {
	ev, err := events.Unmarshal(m.Value)
	if err != nil {
		return nil, err
	}
	f := &ProfileFact{EventID: ev.ID, Person: ev.Person, Type: ev.Type, OccurredAt: ev.OccurredAt}
	switch p := ev.Payload.(type) {
	case *coursesv1.LevelAssessed:
		switch p.CourseKind {
		case coursesv1.CourseKind_COURSE_KIND_ITALIAN_L2:
			if p.CefrOverall == coursesv1.CefrLevel_CEFR_LEVEL_UNSPECIFIED {
				return nil, errcode.New(errcode.Invalid, "payload.cefr_overall", "is unspecified")
			}
			f.Italian = domain.Level(p.CefrOverall)
		case coursesv1.CourseKind_COURSE_KIND_DIGITAL:
			if len(p.DigcompByArea) == 0 {
				return nil, errcode.New(errcode.Invalid, "payload.digcomp_by_area", "is empty")
			}
			f.Digital = map[string]int{}
			for area, lvl := range p.DigcompByArea {
				if lvl < 1 || lvl > 8 {
					return nil, errcode.New(errcode.Invalid, "payload.digcomp_by_area."+area, "must be 1 to 8")
				}
				f.Digital[area] = int(lvl)
			}
		default:
			return nil, errcode.New(errcode.Invalid, "payload.course_kind", "is unspecified")
		}
	case *trainingv1.QualificationAwarded:
		if p.RepertoireCode == "" {
			return nil, errcode.New(errcode.Invalid, "payload.repertoire_code", "is required")
		}
		f.Qualification = &domain.Qualification{Code: p.RepertoireCode, Region: p.Region, Title: p.Title, EQF: int(p.EqfLevel)}
		f.Skills = p.EscoSkills
	case *trainingv1.CompetencesCertified:
		if len(p.EscoSkills) == 0 {
			return nil, errcode.New(errcode.Invalid, "payload.esco_skills", "is empty")
		}
		f.Skills = p.EscoSkills
	case *pathwayv1.PermitRecorded:
		pm := &domain.Permit{Known: true, MayWork: p.MayWork, At: ev.OccurredAt}
		if p.ValidUntil != nil {
			if !p.ValidUntil.IsValid() {
				return nil, errcode.New(errcode.Invalid, "payload.valid_until", "is out of range")
			}
			pm.ValidUntil = p.ValidUntil.AsTime()
		}
		f.Permit = pm
	default:
		return ApplyRequest{}, nil
	}
	for i, s := range f.Skills {
		if strings.TrimSpace(s) == "" {
			return nil, errcode.New(errcode.Invalid, fmt.Sprintf("payload.esco_skills[%d]", i), "is empty")
		}
	}
	return ApplyRequest{Fact: f}, nil
}

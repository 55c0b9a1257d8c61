package training

import (
	"context"
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/percorsi/percorsi/pkg/events"
	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/pkg/register"
	"github.com/percorsi/percorsi/pkg/register/registerpb"
	trainingv1 "github.com/percorsi/percorsi/proto/percorsi/training/v1"
	"github.com/percorsi/percorsi/services/training/domain"
)

// Topic is where training publishes its facts, keyed by person pseudonym.
const Topic = "percorsi.training.events"

const producer = "training"

// registerEvents derives the events of a register's latest write: one
// AttendanceRecorded per mark when recorded, one per changed line (marked
// as a correction) when corrected; no personal data.
func registerEvents(ctx context.Context, r *domain.Register) ([]outbox.Message, error) {
	msgs := make([]outbox.Message, 0, len(r.Marks))
	base := func(m register.Mark) *trainingv1.AttendanceRecorded {
		return &trainingv1.AttendanceRecorded{
			LessonId: r.LessonID, EditionId: r.EditionID, CourseId: r.CourseID, ModuleId: r.ModuleID,
			ModuleKind: moduleKind(r.ModuleKind), LessonStart: timestamppb.New(r.LessonStart),
			LessonMinutes: uint32(r.LessonMinutes), Status: registerpb.Status(m.Status), MinutesAttended: uint32(m.Minutes),
		}
	}
	if len(r.Changed) > 0 {
		for _, c := range r.Changed {
			payload := base(c.To)
			payload.Correction, payload.PreviousStatus, payload.PreviousMinutes = true, registerpb.Status(c.From.Status), uint32(c.From.Minutes)
			msg, err := seal(ctx, c.Person, r.Organisation, r.LessonStart, c.At, payload)
			if err != nil {
				return nil, err
			}
			msgs = append(msgs, msg)
		}
		return msgs, nil
	}
	for _, m := range r.Marks {
		msg, err := seal(ctx, m.Person, r.Organisation, r.LessonStart, r.RecordedAt, base(m))
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, msg)
	}
	return msgs, nil
}

// editionEvents turns the facts that changed edition e of course c at at
// into events.
func editionEvents(ctx context.Context, e *domain.Edition, c *domain.Course, facts []domain.Fact, at time.Time) ([]outbox.Message, error) {
	msgs := make([]outbox.Message, 0, len(facts))
	for _, f := range facts {
		occurred := at
		var payload proto.Message
		switch f := f.(type) {
		case domain.EnrolledFact:
			payload = &trainingv1.EnrolledInTraining{
				EditionId: e.ID, CourseId: c.ID, RepertoireCode: c.RepertoireCode, Region: c.Region,
				EqfLevel: uint32(c.EQFLevel), PlannedHours: uint32(c.PlannedMinutes() / 60),
				EditionStart: timestamppb.New(e.Start), EditionEnd: timestamppb.New(e.End),
				Title: c.Title, Sector: c.Sector, MinAttendanceBp: uint32(c.MinAttendanceBP),
			}
		case domain.ModuleCompletedFact:
			payload = &trainingv1.ModuleCompleted{
				EditionId: e.ID, CourseId: c.ID, ModuleId: f.Module.ID, ModuleKind: moduleKind(f.Module.Kind),
				MinutesPlanned: uint32(f.Result.MinutesPlanned), MinutesAttended: uint32(f.Result.MinutesAttended),
				AttendanceReached:     f.Result.Reached,
				CourseMinutesAttended: uint32(f.CourseMinutes), CourseMinutesPlanned: uint32(c.PlannedMinutes()),
			}
		case domain.InternshipHoursFact:
			occurred = f.Day
			payload = &trainingv1.InternshipHoursRecorded{
				EditionId: e.ID, CourseId: c.ID, ModuleId: f.Placement.ModuleID, HostId: f.Placement.HostID,
				Day: timestamppb.New(f.Day), Minutes: uint32(f.Minutes),
				TotalMinutes: uint32(f.Placement.Done()), PlannedMinutes: uint32(f.Placement.PlannedMinutes),
			}
		case domain.ExamFact:
			occurred = f.Result.HeldOn
			payload = &trainingv1.ExamTaken{
				EditionId: e.ID, CourseId: c.ID, HeldOn: timestamppb.New(f.Result.HeldOn),
				Outcome: examOutcome(f.Result.Outcome), Score: uint32(f.Result.Score), UnitsPassed: f.Result.UnitsPassed,
				MinutesAttended: uint32(f.MinutesAttended),
			}
		case domain.QualifiedFact:
			payload = &trainingv1.QualificationAwarded{
				EditionId: e.ID, CourseId: c.ID, RepertoireCode: c.RepertoireCode, Region: c.Region, Title: c.Title,
				EqfLevel: uint32(c.EQFLevel), EscoSkills: c.Skills(c.UnitCodes()), EscoOccupation: c.ESCOOccupation,
			}
		case domain.CertifiedFact:
			payload = &trainingv1.CompetencesCertified{
				EditionId: e.ID, CourseId: c.ID, RepertoireCode: c.RepertoireCode, Region: c.Region,
				Units: f.Units, EscoSkills: c.Skills(f.Units), Title: c.Title, EqfLevel: uint32(c.EQFLevel),
			}
		case domain.WithdrawnFact:
			payload = &trainingv1.TrainingWithdrawn{
				EditionId: e.ID, CourseId: c.ID, Reason: withdrawReason(f.Reason),
				MinutesAttended: uint32(f.MinutesAttended), InternshipMinutes: uint32(f.InternshipMinutes),
			}
		default:
			return nil, fmt.Errorf("events of edition %s: no event for %T", e.ID, f)
		}
		msg, err := seal(ctx, f.Who(), e.Organisation, occurred, at, payload)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, msg)
	}
	return msgs, nil
}

func seal(ctx context.Context, person, org string, occurred, recorded time.Time, payload proto.Message) (outbox.Message, error) {
	return outbox.Seal(ctx, Topic, events.Meta{
		ID: events.NewID(), Person: person, Organisation: org, Producer: producer,
		OccurredAt: occurred, RecordedAt: recorded,
	}, payload)
}

func moduleKind(k domain.ModuleKind) trainingv1.ModuleKind {
	switch k {
	case domain.Theory:
		return trainingv1.ModuleKind_MODULE_KIND_THEORY
	case domain.Practice:
		return trainingv1.ModuleKind_MODULE_KIND_PRACTICE
	case domain.Internship:
		return trainingv1.ModuleKind_MODULE_KIND_INTERNSHIP
	}
	return trainingv1.ModuleKind_MODULE_KIND_UNSPECIFIED
}

func examOutcome(o domain.ExamOutcome) trainingv1.ExamOutcome {
	switch o {
	case domain.Passed:
		return trainingv1.ExamOutcome_EXAM_OUTCOME_PASSED
	case domain.Failed:
		return trainingv1.ExamOutcome_EXAM_OUTCOME_FAILED
	case domain.AbsentAtExam:
		return trainingv1.ExamOutcome_EXAM_OUTCOME_ABSENT
	}
	return trainingv1.ExamOutcome_EXAM_OUTCOME_UNSPECIFIED
}

func withdrawReason(r domain.WithdrawReason) trainingv1.WithdrawReason {
	switch r {
	case "work":
		return trainingv1.WithdrawReason_WITHDRAW_REASON_WORK
	case "moved":
		return trainingv1.WithdrawReason_WITHDRAW_REASON_MOVED
	case "health":
		return trainingv1.WithdrawReason_WITHDRAW_REASON_HEALTH
	case "family":
		return trainingv1.WithdrawReason_WITHDRAW_REASON_FAMILY
	case "no_show":
		return trainingv1.WithdrawReason_WITHDRAW_REASON_NO_SHOW
	case "other":
		return trainingv1.WithdrawReason_WITHDRAW_REASON_OTHER
	}
	return trainingv1.WithdrawReason_WITHDRAW_REASON_UNSPECIFIED
}

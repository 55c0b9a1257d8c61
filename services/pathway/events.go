package pathway

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/percorsi/percorsi/pkg/events"
	"github.com/percorsi/percorsi/pkg/outbox"
	"github.com/percorsi/percorsi/pkg/versioned"
	coursesv1 "github.com/percorsi/percorsi/proto/percorsi/courses/v1"
	housingv1 "github.com/percorsi/percorsi/proto/percorsi/housing/v1"
	jobsv1 "github.com/percorsi/percorsi/proto/percorsi/jobs/v1"
	pathwayv1 "github.com/percorsi/percorsi/proto/percorsi/pathway/v1"
	registerv1 "github.com/percorsi/percorsi/proto/percorsi/register/v1"
	trainingv1 "github.com/percorsi/percorsi/proto/percorsi/training/v1"
	"github.com/percorsi/percorsi/services/pathway/domain"
)

// Topics pathway publishes to, consumes, and where what it cannot apply goes.
const (
	Topic           = "percorsi.pathway.events"
	CoursesTopic    = "percorsi.courses.events"
	TrainingTopic   = "percorsi.training.events"
	JobsTopic       = "percorsi.jobs.events"
	HousingTopic    = "percorsi.housing.events"
	DeadLetterTopic = "percorsi.pathway.deadletter"
	ConsumerGroup   = "pathway"
)

// Consumed lists the topics whose facts make up the timelines: every
// service's, pathway's own included, so that a replay rebuilds them all.
var Consumed = []string{CoursesTopic, TrainingTopic, JobsTopic, HousingTopic, Topic}

// Topics lists every topic pathway needs to exist.
var Topics = append(append([]string{}, Consumed...), DeadLetterTopic)

const producer = "pathway"

// RecordRequest asks to add one fact to a timeline; Entry is nil for an
// event pathway has no use for (a newer type from another service).
type RecordRequest struct {
	Entry *domain.Entry
}

// DecodeEvent opens an envelope from Kafka into a RecordRequest. What
// can't be decoded is an errcode.Invalid: the subscriber dead-letters it.
func DecodeEvent(_ context.Context, m kafka.Message) (any, error) {
	ev, err := events.Unmarshal(m.Value)
	if err != nil {
		return nil, err
	}
	e := &domain.Entry{
		EventID: ev.ID, Person: ev.Person, Type: ev.Type, Producer: ev.Producer, Organisation: ev.Organisation,
		OccurredAt: ev.OccurredAt, RecordedAt: ev.RecordedAt,
	}
	if e.Attendance, err = attendance(ev.Payload); err != nil {
		return nil, err
	}
	if e.Attendance == nil {
		if e.Fact = fact(ev.Payload); e.Fact == nil {
			return RecordRequest{}, nil
		}
	}
	return RecordRequest{Entry: e}, nil
}

// attendance reads a register mark of courses or training, recorded or
// corrected; nil for any other payload.
func attendance(payload any) (*domain.Attendance, error) {
	var a domain.Attendance
	var status, previous registerv1.AttendanceStatus
	switch p := payload.(type) {
	case *coursesv1.AttendanceRecorded:
		a = domain.Attendance{CourseKind: enumName(p.CourseKind.String(), "COURSE_KIND_"), ClassID: p.ClassId, LessonID: p.LessonId,
			Minutes: int(p.MinutesAttended), LessonMinutes: int(p.LessonMinutes)}
		status = p.Status
	case *coursesv1.AttendanceCorrected:
		a = domain.Attendance{CourseKind: enumName(p.GetCourse().GetCourseKind().String(), "COURSE_KIND_"), ClassID: p.GetCourse().GetClassId(),
			LessonID: p.LessonId, Minutes: int(p.MinutesAttended), LessonMinutes: int(p.LessonMinutes),
			Correction: true, PreviousMinutes: int(p.PreviousMinutes)}
		status, previous = p.Status, p.PreviousStatus
	case *trainingv1.AttendanceRecorded:
		// An edition of training is to its lessons what a class is.
		a = domain.Attendance{CourseKind: "vocational", ClassID: p.EditionId, LessonID: p.LessonId,
			Minutes: int(p.MinutesAttended), LessonMinutes: int(p.LessonMinutes), Correction: p.Correction}
		status = p.Status
		if p.Correction {
			previous, a.PreviousMinutes = p.PreviousStatus, int(p.PreviousMinutes)
		}
	default:
		return nil, nil
	}
	if status == registerv1.AttendanceStatus_ATTENDANCE_STATUS_UNSPECIFIED {
		return nil, invalid("payload.status", "is unspecified")
	}
	a.Status = enumName(status.String(), "ATTENDANCE_STATUS_")
	if previous != registerv1.AttendanceStatus_ATTENDANCE_STATUS_UNSPECIFIED {
		a.PreviousStatus = enumName(previous.String(), "ATTENDANCE_STATUS_")
	}
	return &a, nil
}

// fact keeps what pathway reads of a payload; nil for what it ignores.
func fact(payload any) *domain.Fact {
	switch p := payload.(type) {
	case *coursesv1.LevelAssessed:
		return &domain.Fact{Kind: domain.FactLevelAssessed, Ref: p.AssessmentId, Detail: enumName(p.CourseKind.String(), "COURSE_KIND_"),
			Level: courseLevel(p.CourseKind, p.CefrOverall, p.DigcompByArea)}
	case *coursesv1.EnrolledInCourse:
		c := p.GetCourse()
		return &domain.Fact{Kind: domain.FactEnrolledInCourse, Ref: c.GetClassId(), Detail: enumName(c.GetCourseKind().String(), "COURSE_KIND_"),
			On: optTime(p.ClassStart), Until: optTime(p.ClassEnd)}
	case *coursesv1.CourseCompleted:
		c := p.GetCourse()
		return &domain.Fact{Kind: domain.FactCourseCompleted, Ref: c.GetClassId(), Detail: enumName(c.GetCourseKind().String(), "COURSE_KIND_"),
			Level: courseLevel(c.GetCourseKind(), p.CefrLevel, p.DigcompByArea)}
	case *coursesv1.CertificateIssued:
		c := p.GetCourse()
		return &domain.Fact{Kind: domain.FactCertificateIssued, Ref: c.GetClassId(), Detail: enumName(c.GetCourseKind().String(), "COURSE_KIND_"),
			Level: courseLevel(c.GetCourseKind(), p.CefrLevel, p.DigcompByArea)}
	case *coursesv1.CourseWithdrawn:
		c := p.GetCourse()
		return &domain.Fact{Kind: domain.FactCourseWithdrawn, Ref: c.GetClassId(), Detail: enumName(c.GetCourseKind().String(), "COURSE_KIND_"),
			Level: enumName(p.Reason.String(), "WITHDRAW_REASON_")}
	case *trainingv1.EnrolledInTraining:
		return &domain.Fact{Kind: domain.FactEnrolledInTraining, Ref: p.EditionId, Level: fmt.Sprint(p.EqfLevel), Detail: p.RepertoireCode,
			On: optTime(p.EditionStart), Until: optTime(p.EditionEnd), Planned: int(p.PlannedHours) * 60}
	case *trainingv1.ModuleCompleted:
		return &domain.Fact{Kind: domain.FactModuleCompleted, Ref: p.EditionId, Level: p.ModuleId, Detail: enumName(p.ModuleKind.String(), "MODULE_KIND_"),
			Flag: p.AttendanceReached, Minutes: int(p.MinutesAttended), Planned: int(p.MinutesPlanned)}
	case *trainingv1.InternshipHoursRecorded:
		return &domain.Fact{Kind: domain.FactInternshipHours, Ref: p.EditionId, Level: p.ModuleId, On: optTime(p.Day),
			Minutes: int(p.Minutes), Total: int(p.TotalMinutes), Planned: int(p.PlannedMinutes)}
	case *trainingv1.ExamTaken:
		return &domain.Fact{Kind: domain.FactExamTaken, Ref: p.EditionId, Detail: enumName(p.Outcome.String(), "EXAM_OUTCOME_"),
			Level: fmt.Sprint(p.Score), On: optTime(p.HeldOn)}
	case *trainingv1.QualificationAwarded:
		return &domain.Fact{Kind: domain.FactQualificationAwarded, Ref: p.EditionId, Level: fmt.Sprint(p.EqfLevel), Detail: p.RepertoireCode}
	case *trainingv1.CompetencesCertified:
		return &domain.Fact{Kind: domain.FactCompetencesCertified, Ref: p.EditionId, Detail: p.RepertoireCode}
	case *trainingv1.TrainingWithdrawn:
		return &domain.Fact{Kind: domain.FactTrainingWithdrawn, Ref: p.EditionId, Detail: enumName(p.Reason.String(), "WITHDRAW_REASON_")}
	case *jobsv1.MatchProposed:
		return &domain.Fact{Kind: domain.FactMatchProposed, Ref: p.ProposalId}
	case *jobsv1.InterviewHeld:
		return &domain.Fact{Kind: domain.FactInterviewHeld, Ref: p.ProposalId, Detail: enumName(p.Outcome.String(), "INTERVIEW_OUTCOME_"), On: optTime(p.HeldOn)}
	case *jobsv1.FollowUpRecorded:
		f := &domain.Fact{Kind: domain.FactPlacementFollowUp, Ref: p.PlacementId, Level: fmt.Sprint(p.Month), Detail: "not_working", Flag: p.StillWorking}
		if p.StillWorking {
			f.Detail = "still_working"
		}
		return f
	case *jobsv1.PlacementStarted:
		return &domain.Fact{Kind: domain.FactPlacementStarted, Ref: p.PlacementId, Detail: enumName(p.Contract.String(), "CONTRACT_KIND_"), On: p.StartsOn.AsTime(), Until: optTime(p.EndsOn)}
	case *jobsv1.PlacementConfirmed:
		return &domain.Fact{Kind: domain.FactPlacementConfirmed, Ref: p.PlacementId, Detail: enumName(p.Kind.String(), "CONFIRMATION_KIND_"), On: p.On.AsTime()}
	case *jobsv1.PlacementUnconfirmed:
		return &domain.Fact{Kind: domain.FactPlacementUnconfirmed, Ref: p.PlacementId}
	case *jobsv1.PlacementEnded:
		return &domain.Fact{Kind: domain.FactPlacementEnded, Ref: p.PlacementId, Detail: enumName(p.Reason.String(), "END_REASON_"), On: p.EndedOn.AsTime(), Flag: p.ConfirmedByEmployer}
	case *housingv1.HousingStepStarted:
		return &domain.Fact{Kind: domain.FactHousingStepStarted, Ref: p.StepId, Level: enumName(p.Kind.String(), "STEP_KIND_"), On: p.StartedAt.AsTime()}
	case *housingv1.HousingStepEnded:
		return &domain.Fact{Kind: domain.FactHousingStepEnded, Ref: p.StepId, Level: enumName(p.Kind.String(), "STEP_KIND_"),
			Detail: enumName(p.Reason.String(), "EXIT_REASON_"), On: optTime(p.EndedAt)}
	case *housingv1.RentSupportGranted:
		return &domain.Fact{Kind: domain.FactRentSupportGranted, Ref: p.RentSupportId, Level: fmt.Sprint(p.Months), On: optTime(p.StartsOn)}
	case *housingv1.HousingOfferProposed:
		return &domain.Fact{Kind: domain.FactHousingOfferProposed, Ref: p.ProposalId, Detail: enumName(p.Source.String(), "OFFER_SOURCE_")}
	case *housingv1.LeaseSigned:
		return &domain.Fact{Kind: domain.FactLeaseSigned, Ref: p.StepId, On: p.StartsOn.AsTime()}
	case *housingv1.HousingExited:
		return &domain.Fact{Kind: domain.FactHousingExited, Ref: p.LastStepId, Level: enumName(p.LastKind.String(), "STEP_KIND_"),
			Detail: enumName(p.Destination.String(), "DESTINATION_"), On: p.ExitedAt.AsTime()}
	case *pathwayv1.PersonTakenInCharge:
		return &domain.Fact{Kind: domain.FactTakenInCharge, Detail: enumName(p.Programme.String(), "PROGRAMME_")}
	case *pathwayv1.PermitRecorded:
		return &domain.Fact{Kind: domain.FactPermitRecorded, Level: permitKindName(p.Kind), Detail: permitKindName(p.ConvertedFrom),
			On: optTime(p.ValidFrom), Until: optTime(p.ValidUntil), Flag: p.MayWork}
	case *pathwayv1.PlanUpdated:
		return &domain.Fact{Kind: domain.FactPlanUpdated, Level: fmt.Sprint(p.Revision)}
	case *pathwayv1.AlertRaised:
		return &domain.Fact{Kind: domain.FactAlertRaised, Ref: p.AlertId, Detail: p.Kind}
	case *pathwayv1.AlertResolved:
		return &domain.Fact{Kind: domain.FactAlertResolved, Ref: p.AlertId, Detail: p.Kind, Level: p.How}
	case *pathwayv1.TransferRequested:
		return &domain.Fact{Kind: domain.FactTransferRequested, Ref: p.TransferId, Detail: p.ToOrganisation}
	case *pathwayv1.PersonTransferred:
		return &domain.Fact{Kind: domain.FactPersonTransferred, Ref: p.TransferId, Detail: p.ToOrganisation}
	case *pathwayv1.PathwayClosed:
		return &domain.Fact{Kind: domain.FactPathwayClosed, Detail: enumName(p.Reason.String(), "CLOSING_REASON_"), On: optTime(p.ClosedOn)}
	}
	return nil
}

// courseLevel is the level a course fact reports: CEFR (a2...) for
// Italian, the best DigComp area (a number) for digital skills; "" when
// none was given.
func courseLevel(kind coursesv1.CourseKind, cefr coursesv1.CefrLevel, digcomp map[string]uint32) string {
	if kind == coursesv1.CourseKind_COURSE_KIND_DIGITAL {
		best := uint32(0)
		for _, l := range digcomp {
			best = max(best, l)
		}
		return fmt.Sprint(best)
	}
	if cefr == coursesv1.CefrLevel_CEFR_LEVEL_UNSPECIFIED {
		return ""
	}
	return enumName(cefr.String(), "CEFR_LEVEL_")
}

func optTime(t *timestamppb.Timestamp) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.AsTime()
}

// enumName turns ATTENDANCE_STATUS_LATE into "late".
func enumName(s, prefix string) string {
	return strings.ToLower(strings.TrimPrefix(s, prefix))
}

func permitKindName(k pathwayv1.PermitKind) string {
	if k == pathwayv1.PermitKind_PERMIT_KIND_UNSPECIFIED {
		return ""
	}
	n := enumName(k.String(), "PERMIT_KIND_")
	if n == "special_cases_art18" {
		return string(domain.PermitSpecialCases)
	}
	return n
}

func permitKind(k domain.PermitKind) pathwayv1.PermitKind {
	if k == "" {
		return pathwayv1.PermitKind_PERMIT_KIND_UNSPECIFIED
	}
	return pathwayv1.PermitKind(pathwayv1.PermitKind_value["PERMIT_KIND_"+strings.ToUpper(string(k))])
}

func ts(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

// change is a change of a person whose events are sealed for the outbox.
func change(ctx context.Context, fn func(p *domain.Person) ([]domain.Event, error)) versioned.Change[domain.Person] {
	return func(p *domain.Person) ([]outbox.Message, error) {
		evs, err := fn(p)
		if err != nil {
			return nil, err
		}
		return sealEvents(ctx, evs)
	}
}

// sealEvents turns pathway's domain events into outbox messages for its
// topic, keyed by pseudonym. Payloads carry codes and dates only: never a
// name, a note, a reason in words or a goal's title.
func sealEvents(ctx context.Context, evs []domain.Event) ([]outbox.Message, error) {
	msgs := make([]outbox.Message, 0, len(evs))
	for _, ev := range evs {
		p := ev.Person
		var m outbox.Message
		var err error
		meta := events.Meta{ID: events.NewID(), Person: p.Pseudonym, Organisation: p.Organisation, Producer: producer, OccurredAt: ev.At, RecordedAt: ev.At}
		switch ev.Kind {
		case domain.FactTakenInCharge:
			// The pathway began when the case worker says, which may be
			// before the intake was recorded.
			meta.OccurredAt = p.Since
			m, err = outbox.Seal(ctx, Topic, meta, &pathwayv1.PersonTakenInCharge{
				Programme: pathwayv1.Programme(pathwayv1.Programme_value[programmeEnum(p.Programme)]),
				Referral:  pathwayv1.ReferralSource(pathwayv1.ReferralSource_value["REFERRAL_SOURCE_"+strings.ToUpper(string(p.Referral))]),
				Territory: p.Territory, TakenInChargeOn: ts(p.Since),
			})
		case domain.FactPermitRecorded:
			x := ev.Permit
			m, err = outbox.Seal(ctx, Topic, meta, &pathwayv1.PermitRecorded{
				Kind: permitKind(x.Kind), ValidFrom: ts(x.ValidFrom), ValidUntil: ts(x.ValidUntil), MayWork: x.MayWork, ConvertedFrom: permitKind(x.ConvertedFrom),
			})
		case domain.FactPlanUpdated:
			pu := &pathwayv1.PlanUpdated{Revision: uint32(p.Plan.Revision)}
			for _, g := range p.Plan.Goals {
				pu.Goals = append(pu.Goals, &pathwayv1.PlanGoal{GoalId: g.ID, Domain: string(g.Domain), Status: g.Status, Target: ts(g.Target)})
			}
			m, err = outbox.Seal(ctx, Topic, meta, pu)
		case domain.FactAlertRaised:
			m, err = outbox.Seal(ctx, Topic, meta, &pathwayv1.AlertRaised{AlertId: ev.Alert.ID, Kind: string(ev.Alert.Kind), Due: ts(ev.Alert.Due)})
		case domain.FactAlertResolved:
			m, err = outbox.Seal(ctx, Topic, meta, &pathwayv1.AlertResolved{AlertId: ev.Alert.ID, Kind: string(ev.Alert.Kind), How: ev.How})
		case domain.FactTransferRequested:
			t := ev.Transfer
			m, err = outbox.Seal(ctx, Topic, meta, &pathwayv1.TransferRequested{TransferId: t.ID, FromOrganisation: t.FromOrganisation, ToOrganisation: t.ToOrganisation, ToTerritory: t.ToTerritory})
		case domain.FactPersonTransferred:
			t := ev.Transfer
			m, err = outbox.Seal(ctx, Topic, meta, &pathwayv1.PersonTransferred{TransferId: t.ID, FromOrganisation: t.FromOrganisation, ToOrganisation: t.ToOrganisation, ToTerritory: t.ToTerritory})
		case domain.FactPathwayClosed:
			m, err = outbox.Seal(ctx, Topic, meta, &pathwayv1.PathwayClosed{
				Reason:   pathwayv1.ClosingReason(pathwayv1.ClosingReason_value["CLOSING_REASON_"+strings.ToUpper(string(p.Closed.Reason))]),
				ClosedOn: ts(p.Closed.On),
			})
		default:
			return nil, fmt.Errorf("pathway: no message for event %q", ev.Kind)
		}
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, m)
	}
	return msgs, nil
}

func programmeEnum(p domain.Programme) string {
	switch p {
	case domain.Art18:
		return "PROGRAMME_ART18_SOCIAL_INTEGRATION"
	case domain.Art13:
		return "PROGRAMME_ART13_EMERSION"
	case domain.OtherProgramme:
		return "PROGRAMME_OTHER"
	}
	return "PROGRAMME_UNSPECIFIED"
}

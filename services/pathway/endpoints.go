package pathway

import (
	"context"
	"log/slog"
	"time"

	"github.com/go-kit/kit/endpoint"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/instrument"
	"github.com/percorsi/percorsi/services/pathway/domain"
)

// Endpoints are the pathway use cases as go-kit endpoints. Record is fed by
// the Kafka subscriber; Timeline by HTTP.
type Endpoints struct {
	Record   endpoint.Endpoint
	Timeline endpoint.Endpoint
}

// MakeEndpoints wraps each use case in the same chain.
func MakeEndpoints(s *Service, v auth.Verifier, log *slog.Logger, m *instrument.Metrics) Endpoints {
	return Endpoints{
		// Events come from the broker, not from a user: no token to check.
		Record:   instrument.Endpoint("record", log, m)(makeRecord(s)),
		Timeline: endpoint.Chain(instrument.Endpoint("timeline", log, m), auth.Require(v, auth.CaseWorker))(makeTimeline(s)),
	}
}

// makeRecord applies a batch of decoded events ([]any of RecordRequest,
// as kafkakit.Subscriber delivers them).
func makeRecord(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		batch := request.([]any)
		entries := make([]*domain.Entry, 0, len(batch))
		for _, r := range batch {
			if e := r.(RecordRequest).Entry; e != nil {
				entries = append(entries, e)
			}
		}
		return nil, s.Record(ctx, entries...)
	}
}

// TimelineRequest asks for a person's timeline in a language.
type TimelineRequest struct {
	Pseudonym string
	Lang      string // it or en
}

// TimelineResponse is a person's pathway so far.
type TimelineResponse struct {
	Person          PersonJSON     `json:"person"`
	HoursByCourse   map[string]int `json:"hours_by_course"`
	MinutesByCourse map[string]int `json:"minutes_by_course"`
	Entries         []EntryJSON    `json:"entries"`
}

// PersonJSON names a person as their organisation does.
type PersonJSON struct {
	Pseudonym    string `json:"pseudonym"`
	DisplayName  string `json:"display_name"`
	Organisation string `json:"organisation"`
}

// EntryJSON is one timeline entry, described in the requested language.
type EntryJSON struct {
	EventID    string      `json:"event_id"`
	Type       string      `json:"type"`
	OccurredAt time.Time   `json:"occurred_at"`
	RecordedAt time.Time   `json:"recorded_at"`
	Text       string      `json:"text"`
	Attendance *Attendance `json:"attendance,omitempty"`
}

// Attendance is an attendance fact on the wire.
type Attendance struct {
	CourseKind    string `json:"course_kind"`
	ClassID       string `json:"class_id"`
	LessonID      string `json:"lesson_id"`
	Status        string `json:"status"`
	Minutes       int    `json:"minutes"`
	LessonMinutes int    `json:"lesson_minutes"`
}

func makeTimeline(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(TimelineRequest)
		v, err := s.Timeline(ctx, req.Pseudonym)
		if err != nil {
			return nil, err
		}
		resp := TimelineResponse{
			Person:          PersonJSON{Pseudonym: v.Person.Pseudonym, DisplayName: v.Person.DisplayName, Organisation: v.Person.Organisation},
			HoursByCourse:   map[string]int{},
			MinutesByCourse: v.MinutesByCourse,
			Entries:         make([]EntryJSON, len(v.Entries)),
		}
		for kind, min := range v.MinutesByCourse {
			resp.HoursByCourse[kind] = min / 60
		}
		for i, e := range v.Entries {
			resp.Entries[i] = EntryJSON{EventID: e.EventID, Type: e.Type, OccurredAt: e.OccurredAt, RecordedAt: e.RecordedAt, Text: describe(e, req.Lang)}
			if a := e.Attendance; a != nil {
				resp.Entries[i].Attendance = &Attendance{CourseKind: a.CourseKind, ClassID: a.ClassID, LessonID: a.LessonID, Status: a.Status, Minutes: a.Minutes, LessonMinutes: a.LessonMinutes}
			}
		}
		return resp, nil
	}
}

func invalid(field, msg string) error { return errcode.New(errcode.Invalid, field, "%s", msg) }

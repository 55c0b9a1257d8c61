// Package events seals facts into the shared protobuf envelope and opens
// them again, checking every field a consumer relies on.
package events

import (
	"fmt"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/percorsi/percorsi/pkg/errcode"
	eventsv1 "github.com/percorsi/percorsi/proto/percorsi/events/v1"
)

// Meta is everything in the envelope but the payload.
type Meta struct {
	ID            string // NewID(); stable across retries
	Person        string // pseudonym; also the Kafka key
	Organisation  string
	Producer      string
	OccurredAt    time.Time
	RecordedAt    time.Time
	SchemaVersion uint32
}

// Event is an opened envelope.
type Event struct {
	Meta
	Type    string
	Payload proto.Message
}

// NewID returns a new event id. UUIDv7 ids sort by creation time, which keeps
// index inserts local on a real MongoDB.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// Marshal seals payload in an envelope and encodes it.
func Marshal(m Meta, payload proto.Message) ([]byte, error) {
	anyPayload, err := anypb.New(payload)
	if err != nil {
		return nil, fmt.Errorf("events: wrap payload: %w", err)
	}
	version := m.SchemaVersion
	if version == 0 {
		version = 1
	}
	env := &eventsv1.Envelope{
		EventId:         m.ID,
		Type:            string(payload.ProtoReflect().Descriptor().FullName()),
		PersonPseudonym: m.Person,
		Organisation:    m.Organisation,
		OccurredAt:      timestamppb.New(m.OccurredAt),
		RecordedAt:      timestamppb.New(m.RecordedAt),
		Producer:        m.Producer,
		SchemaVersion:   version,
		Payload:         anyPayload,
	}
	if err := check(env); err != nil {
		return nil, err
	}
	b, err := proto.Marshal(env)
	if err != nil {
		return nil, fmt.Errorf("events: marshal envelope: %w", err)
	}
	return b, nil
}

// Unmarshal opens an envelope. Anything a consumer could not safely apply
// (garbage bytes, a missing id or pseudonym, a payload whose type is unknown
// or disagrees with the envelope) is an errcode.Invalid naming the field.
func Unmarshal(b []byte) (*Event, error) {
	var env eventsv1.Envelope
	if err := proto.Unmarshal(b, &env); err != nil {
		return nil, &errcode.Error{Code: errcode.Invalid, Field: "envelope", Message: "not a protobuf envelope", Err: err}
	}
	if err := check(&env); err != nil {
		return nil, err
	}
	payload, err := env.Payload.UnmarshalNew()
	if err != nil {
		return nil, &errcode.Error{Code: errcode.Invalid, Field: "payload", Message: "cannot decode payload of type " + env.Type, Err: err}
	}
	return &Event{
		Meta: Meta{
			ID:            env.EventId,
			Person:        env.PersonPseudonym,
			Organisation:  env.Organisation,
			Producer:      env.Producer,
			OccurredAt:    env.OccurredAt.AsTime(),
			RecordedAt:    env.RecordedAt.AsTime(),
			SchemaVersion: env.SchemaVersion,
		},
		Type:    env.Type,
		Payload: payload,
	}, nil
}

func check(env *eventsv1.Envelope) error {
	switch {
	case env.EventId == "":
		return errcode.New(errcode.Invalid, "event_id", "is required")
	case len(env.EventId) > 64:
		return errcode.New(errcode.Invalid, "event_id", "is longer than 64 characters")
	case env.PersonPseudonym == "":
		return errcode.New(errcode.Invalid, "person_pseudonym", "is required")
	case len(env.PersonPseudonym) > 64:
		return errcode.New(errcode.Invalid, "person_pseudonym", "is longer than 64 characters")
	case env.Producer == "":
		return errcode.New(errcode.Invalid, "producer", "is required")
	case !env.OccurredAt.IsValid():
		return errcode.New(errcode.Invalid, "occurred_at", "is missing or out of range")
	case !env.RecordedAt.IsValid():
		return errcode.New(errcode.Invalid, "recorded_at", "is missing or out of range")
	case env.SchemaVersion == 0:
		return errcode.New(errcode.Invalid, "schema_version", "is required")
	case env.Payload == nil:
		return errcode.New(errcode.Invalid, "payload", "is required")
	case string(env.Payload.MessageName()) != env.Type:
		return errcode.New(errcode.Invalid, "type", "%q does not match the payload %q", env.Type, env.Payload.MessageName())
	}
	return nil
}

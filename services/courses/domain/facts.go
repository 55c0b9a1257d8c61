package domain

import (
	"time"

	"github.com/percorsi/percorsi/pkg/register"
)

// FactKind names what happened to a person in a class.
type FactKind string

const (
	FactEnrolled  FactKind = "enrolled"
	FactWithdrawn FactKind = "withdrawn"
	FactCompleted FactKind = "completed"
	FactStreak    FactKind = "absence_streak"
)

// Fact is a change of a person's standing in a class that the pathway must
// hear of. The service turns facts into events written with the class.
type Fact struct {
	Kind       FactKind
	Person     string
	At         time.Time
	Figures    register.Figures // the person's figures after the fact
	Reason     WithdrawReason
	OtherClass string // the other class of a transfer
	LessonID   string // the lesson that completed a run of absences
	// Assessment is the final assessment of a completion, if any.
	Assessment *Assessment
}

package domain

import "time"

// Reason says why an area is in its state or why a permit may be
// converted: a code and the facts it names. The words, in the reader's
// language, are the transport's.
type Reason struct {
	Code   ReasonCode
	On     time.Time // the day of the fact
	Until  time.Time // a later day: a permit's end, a placement's months reached
	Level  string    // the level reached (CEFR, DigComp, EQF), a permit kind or a housing step
	Want   string    // the level the rule asks for
	Months int       // how long a confirmed placement must last
	Detail string    // a course kind, a vocational course, a withdrawal reason
}

// ReasonCode names a rule and the kind of fact that applied it.
type ReasonCode string

const (
	ReasonAttendingCourse      ReasonCode = "attending_course"     // Detail: course kind
	ReasonAttendingTraining    ReasonCode = "attending_training"   // a vocational lesson
	ReasonEnrolledInCourse     ReasonCode = "enrolled_in_course"   // Detail: course kind
	ReasonCEFRReached          ReasonCode = "cefr_reached"         // Level >= Want
	ReasonCEFRBelow            ReasonCode = "cefr_below"           // Level < Want
	ReasonDigCompReached       ReasonCode = "digcomp_reached"      // Level >= Want
	ReasonDigCompBelow         ReasonCode = "digcomp_below"        // Level < Want
	ReasonEnrolledInTraining   ReasonCode = "enrolled_in_training" // Detail: course, Level: EQF
	ReasonModuleCompleted      ReasonCode = "module_completed"
	ReasonInternshipHours      ReasonCode = "internship_hours"
	ReasonExamTaken            ReasonCode = "exam_taken"
	ReasonQualification        ReasonCode = "qualification_awarded" // Level: EQF
	ReasonCompetencesCertified ReasonCode = "competences_certified"
	ReasonTrainingWithdrawn    ReasonCode = "training_withdrawn" // Detail: why
	ReasonPlacementStarted     ReasonCode = "placement_started"
	ReasonPlacementConfirmed   ReasonCode = "placement_confirmed" // confirmed On, Months reached Until
	ReasonPlacementLasted      ReasonCode = "placement_lasted"    // confirmed On, Months reached Until
	ReasonHired                ReasonCode = "hired"
	ReasonOwnLease             ReasonCode = "own_lease"
	ReasonHousingStep          ReasonCode = "housing_step" // Level: the step
	ReasonLeaseSigned          ReasonCode = "lease_signed"
	ReasonPermit               ReasonCode = "permit"       // Level: permit kind, recorded On
	ReasonPermitUntil          ReasonCode = "permit_until" // Level: permit kind, valid Until

	// The grounds for converting an art. 18 permit.
	ReasonGroundsWork  ReasonCode = "grounds_work"  // placement confirmed On
	ReasonGroundsStudy ReasonCode = "grounds_study" // last lesson On
	ReasonNoGrounds    ReasonCode = "no_grounds"
)

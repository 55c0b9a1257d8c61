package domain

import "time"

// Fact is something the jobs service publishes: the use case seals the
// facts of a write into the events stored in that same write. Facts carry no personal
// data, only pseudonyms and ids.
type Fact interface{ fact() }

// ProfileUpdated says what changed in a profile, and from where.
type ProfileUpdated struct {
	Person       string
	Organisation string
	Fields       []string
	Source       string
	At           time.Time
}

// VacancyPublished announces a new vacancy.
type VacancyPublished struct {
	Vacancy *Vacancy
	At      time.Time
}

// MatchProposed is a proposal made.
type MatchProposed struct{ Proposal *Proposal }

// InterviewHeld is a proposal's interview and outcome.
type InterviewHeld struct{ Proposal *Proposal }

// PlacementStarted is a placement begun, awaiting the employer.
type PlacementStarted struct{ Placement *Placement }

// PlacementConfirmed is the employer confirming the start or the end.
type PlacementConfirmed struct {
	Placement *Placement
	Purpose   LinkPurpose
	At        time.Time
}

// PlacementUnconfirmed is a start still unconfirmed after the due date.
type PlacementUnconfirmed struct {
	Placement  *Placement
	DaysWaited int
	At         time.Time
}

// PlacementEnded is a placement's end.
type PlacementEnded struct {
	Placement *Placement
	At        time.Time
}

// FollowUpRecorded is one follow-up.
type FollowUpRecorded struct {
	Placement *Placement
	FollowUp  FollowUp
}

func (ProfileUpdated) fact()       {}
func (VacancyPublished) fact()     {}
func (MatchProposed) fact()        {}
func (InterviewHeld) fact()        {}
func (PlacementStarted) fact()     {}
func (PlacementConfirmed) fact()   {}
func (PlacementUnconfirmed) fact() {}
func (PlacementEnded) fact()       {}
func (FollowUpRecorded) fact()     {}

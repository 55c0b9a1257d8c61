// Package domain holds the housing service's entities and rules: the
// network's accommodations and their places, each person's housing steps
// from shelter to a lease of their own, rent support, and the housing offers
// proposed to people ready for autonomy. It depends on nothing but the
// standard library and the error vocabulary.
package domain

import (
	"context"
	"regexp"
	"time"
	"unicode/utf8"

	"github.com/percorsi/percorsi/pkg/errcode"
)

// Kind is where a person lives during a step; accommodations have the
// kinds that a project runs.
type Kind string

const (
	EmergencyShelter Kind = "emergency_shelter"  // pronta accoglienza
	ProtectedShelter Kind = "protected_shelter"  // secret address
	SemiAutonomyFlat Kind = "semi_autonomy_flat" // semi-autonomia
	HostFamily       Kind = "host_family"        // famiglia ospitante
	OwnLease         Kind = "own_lease"          // the person's own lease
)

// Kinds lists every kind in pathway order.
var Kinds = []Kind{EmergencyShelter, ProtectedShelter, SemiAutonomyFlat, HostFamily, OwnLease}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	for _, v := range Kinds {
		if k == v {
			return true
		}
	}
	return false
}

// Accommodated reports whether a step of kind k takes a place in an
// accommodation of the network. A host family may or may not be one the
// project registered; an own lease never is.
func (k Kind) Accommodated() bool { return k != OwnLease && k != HostFamily }

// ExitReason is why a step ended.
type ExitReason string

const (
	MovedOn                 ExitReason = "moved_on"
	LeaseOfOwn              ExitReason = "own_lease"
	ProgrammeCompleted      ExitReason = "programme_completed"
	LeftVoluntarily         ExitReason = "left_voluntarily"
	RulesBreach             ExitReason = "rules_breach"
	AssistedVoluntaryReturn ExitReason = "assisted_voluntary_return"
	Transferred             ExitReason = "transferred"
	OtherReason             ExitReason = "other"
)

// exitReasons are the reasons a person leaves the housing pathway; moving
// on to the next step is not one of them.
var exitReasons = []ExitReason{LeaseOfOwn, ProgrammeCompleted, LeftVoluntarily, RulesBreach, AssistedVoluntaryReturn, Transferred, OtherReason}

// Destination is where a person went when a step ended: a kind of step, or
// somewhere outside the programme.
type Destination string

const (
	FamilyOrFriends  Destination = "family_or_friends"
	OtherProject     Destination = "other_project"
	CountryOfOrigin  Destination = "country_of_origin"
	Homeless         Destination = "homeless"
	UnknownPlace     Destination = "unknown"
	OtherDestination Destination = "other"
)

// Valid reports whether d is a known destination.
func (d Destination) Valid() bool {
	switch d {
	case FamilyOrFriends, OtherProject, CountryOfOrigin, Homeless, UnknownPlace, OtherDestination:
		return true
	}
	return Kind(d).Valid()
}

// Accommodation is a shelter, flat or host family a network organisation
// runs, with its places. Address is secret for protected shelters and is
// shown to no one but the managing organisation whatever the kind.
type Accommodation struct {
	ID           string
	Organisation string // the managing organisation
	Name         string // as the organisation calls it; no address in it
	Kind         Kind
	Territory    string // province code, e.g. "RM"
	Address      string
	Capacity     int // places
	CreatedAt    time.Time
}

// Limits on what people type.
const (
	MaxCapacity   = 200
	maxName       = 120
	maxAddress    = 200
	maxArea       = 80
	maxConditions = 500
	maxPseudonym  = 64
)

var province = regexp.MustCompile(`^[A-Z]{2}$`)

// NewAccommodation checks what a housing worker entered.
func NewAccommodation(id, org, name string, kind Kind, territory, address string, capacity int, now time.Time) (*Accommodation, error) {
	if err := text("name", name, maxName); err != nil {
		return nil, err
	}
	switch {
	case !kind.Valid():
		return nil, errcode.New(errcode.Invalid, "kind", "must be one of emergency_shelter, protected_shelter, semi_autonomy_flat, host_family")
	case kind == OwnLease:
		return nil, errcode.New(errcode.Invalid, "kind", "an own lease is not an accommodation of the network")
	case capacity < 1 || capacity > MaxCapacity:
		return nil, errcode.New(errcode.Invalid, "capacity", "must be between 1 and %d places", MaxCapacity)
	}
	if err := Territory("territory", territory); err != nil {
		return nil, err
	}
	if err := text("address", address, maxAddress); err != nil {
		return nil, err
	}
	return &Accommodation{ID: id, Organisation: org, Name: name, Kind: kind, Territory: territory, Address: address, Capacity: capacity, CreatedAt: now}, nil
}

// Step is one stretch of a person's housing: a place in an accommodation,
// a host family, or their own lease. A step is open until it ends.
type Step struct {
	ID              string
	Person          string // pseudonym
	Organisation    string // the organisation that recorded it
	Kind            Kind
	AccommodationID string // empty when the step takes no place of the network
	Start           time.Time
	Previous        string // the step this one follows after a move
	RecordedBy      string
	End             time.Time // zero while open
	Reason          ExitReason
	Destination     Destination
	EndedBy         string
}

// Open reports whether the step has not ended.
func (s *Step) Open() bool { return s.End.IsZero() }

// Days is the length of a step, whole days, up to end.
func (s *Step) Days() int { return int(s.End.Sub(s.Start).Hours() / 24) }

// NewStep checks a step to start. acc is the accommodation it takes a place
// in, nil for a step in none.
func NewStep(id, person, org string, kind Kind, acc *Accommodation, start time.Time, by string, now time.Time) (*Step, error) {
	if err := Pseudonym("person", person); err != nil {
		return nil, err
	}
	switch {
	case !kind.Valid():
		return nil, errcode.New(errcode.Invalid, "kind", "must be one of emergency_shelter, protected_shelter, semi_autonomy_flat, host_family, own_lease")
	case kind.Accommodated() && acc == nil:
		return nil, errcode.New(errcode.Invalid, "accommodation_id", "is required for a step of kind %s", kind)
	case kind == OwnLease && acc != nil:
		return nil, errcode.New(errcode.Invalid, "accommodation_id", "an own lease takes no place of the network")
	case acc != nil && acc.Kind != kind:
		return nil, errcode.New(errcode.Invalid, "kind", "does not match the accommodation, which is a %s", acc.Kind)
	case start.After(now.AddDate(0, 0, 1)):
		return nil, errcode.New(errcode.Invalid, "start", "is in the future")
	}
	s := &Step{ID: id, Person: person, Organisation: org, Kind: kind, Start: start, RecordedBy: by}
	if acc != nil {
		s.AccommodationID = acc.ID
	}
	return s, nil
}

// Close ends an open step. A move ends it with MovedOn toward the next
// step's kind; an exit with a reason for leaving the housing pathway.
func (s *Step) Close(end time.Time, reason ExitReason, dest Destination, by string, now time.Time) error {
	switch {
	case !s.Open():
		return errcode.New(errcode.Conflict, "step_id", "the step has already ended")
	case end.Before(s.Start):
		return errcode.New(errcode.Invalid, "end", "is before the step's start")
	case end.After(now.AddDate(0, 0, 1)):
		return errcode.New(errcode.Invalid, "end", "is in the future")
	case !dest.Valid():
		return errcode.New(errcode.Invalid, "destination", "is not a known destination")
	}
	s.End, s.Reason, s.Destination, s.EndedBy = end, reason, dest, by
	return nil
}

// CheckExitReason checks the reason of an exit from the housing pathway.
func CheckExitReason(r ExitReason) error {
	for _, v := range exitReasons {
		if r == v {
			return nil
		}
	}
	return errcode.New(errcode.Invalid, "reason", "must be one of own_lease, programme_completed, left_voluntarily, rules_breach, assisted_voluntary_return, transferred, other")
}

// RentSupport is a contribution to a person's rent for the first months of
// autonomous housing.
type RentSupport struct {
	ID           string
	Person       string
	Organisation string
	MonthlyCents int64
	Months       int
	Start        time.Time // first day of the first month
	GrantedBy    string
	GrantedAt    time.Time
	Payments     []Payment
	Ended        time.Time // zero while running
	EndReason    string
}

// Payment is one month paid.
type Payment struct {
	Month       string // YYYY-MM
	AmountCents int64
	PaidAt      time.Time
}

// Rent support limits.
const (
	MaxMonthlyCents = 500_000 // 5,000 euro a month
	MaxMonths       = 36
)

// NewRentSupport checks a grant.
func NewRentSupport(id, person, org string, monthly int64, months int, start time.Time, by string, now time.Time) (*RentSupport, error) {
	if err := Pseudonym("person", person); err != nil {
		return nil, err
	}
	switch {
	case monthly < 1 || monthly > MaxMonthlyCents:
		return nil, errcode.New(errcode.Invalid, "monthly_amount_cents", "must be between 1 and %d cents", MaxMonthlyCents)
	case months < 1 || months > MaxMonths:
		return nil, errcode.New(errcode.Invalid, "months", "must be between 1 and %d", MaxMonths)
	}
	return &RentSupport{ID: id, Person: person, Organisation: org, MonthlyCents: monthly, Months: months, Start: start, GrantedBy: by, GrantedAt: now}, nil
}

// Running reports whether the support has months left to pay after t,
// counting a grant that starts later: rent support is often granted for
// the first months of a lease not yet signed.
func (r *RentSupport) Running(t time.Time) bool {
	return r.Ended.IsZero() && t.Before(r.Start.AddDate(0, r.Months, 0))
}

// Pay records the payment of a month of the grant.
func (r *RentSupport) Pay(month time.Time, amount int64, now time.Time) error {
	m := month.Format("2006-01")
	switch {
	case !r.Ended.IsZero():
		return errcode.New(errcode.Conflict, "rent_support_id", "the rent support has ended")
	case month.Before(r.Start.AddDate(0, 0, 1-r.Start.Day())) || !month.Before(r.Start.AddDate(0, r.Months, 0)):
		return errcode.New(errcode.Invalid, "month", "is outside the months granted")
	case amount < 1 || amount > r.MonthlyCents:
		return errcode.New(errcode.Invalid, "amount_cents", "must be between 1 and the monthly amount granted")
	}
	for _, p := range r.Payments {
		if p.Month == m {
			return errcode.New(errcode.Conflict, "month", "was already paid")
		}
	}
	r.Payments = append(r.Payments, Payment{Month: m, AmountCents: amount, PaidAt: now})
	return nil
}

// Stop ends the support before its term.
func (r *RentSupport) Stop(at time.Time, reason string) error {
	if !r.Ended.IsZero() {
		return errcode.New(errcode.Conflict, "rent_support_id", "the rent support has already ended")
	}
	if at.Before(r.Start) {
		return errcode.New(errcode.Invalid, "end", "is before the support's start")
	}
	if err := text("reason", reason, maxConditions); err != nil {
		return err
	}
	r.Ended, r.EndReason = at, reason
	return nil
}

// Territory checks a province code in field.
func Territory(field, s string) error {
	if !province.MatchString(s) {
		return errcode.New(errcode.Invalid, field, "must be a province code of two capital letters, e.g. RM")
	}
	return nil
}

// Pseudonym checks a person's pseudonym in field.
func Pseudonym(field, p string) error {
	switch {
	case p == "":
		return errcode.New(errcode.Invalid, field, "is required")
	case len(p) > maxPseudonym:
		return errcode.New(errcode.Invalid, field, "is longer than %d characters", maxPseudonym)
	case !pseudonymChars.MatchString(p):
		return errcode.New(errcode.Invalid, field, "must be letters, digits, '-' and '_'")
	}
	return nil
}

// pseudonymChars are what pseudonyms are made of. A pseudonym is a Kafka
// key and part of URLs: a NUL, an RTL override or markup must not become
// one.
var pseudonymChars = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// text checks a required free-text field. Messages never repeat the value:
// it may be an address.
func text(field, s string, limit int) error {
	switch {
	case s == "":
		return errcode.New(errcode.Invalid, field, "is required")
	case !utf8.ValidString(s):
		return errcode.New(errcode.Invalid, field, "is not valid UTF-8")
	case utf8.RuneCountInString(s) > limit:
		return errcode.New(errcode.Invalid, field, "is longer than %d characters", limit)
	}
	return nil
}

// Accommodations stores accommodations.
type Accommodations interface {
	// Create stores a new accommodation; Conflict if the id exists.
	Create(ctx context.Context, a *Accommodation) error
	// Get returns NotFound for an unknown id.
	Get(ctx context.Context, id string) (*Accommodation, error)
	// ByOrganisation lists an organisation's accommodations.
	ByOrganisation(ctx context.Context, org string) ([]Accommodation, error)
	// All lists every accommodation of the network (for the board).
	All(ctx context.Context) ([]Accommodation, error)
}

package clients

import (
	"context"
	"time"
)

// Housing is a client of the housing API (services/housing/openapi.yaml).
type Housing struct{ c *Conn }

// NewHousing returns the housing client of c.
func NewHousing(c *Conn) *Housing { return &Housing{c} }

// BoardRow is the free places of a kind in a territory: counts only.
type BoardRow struct {
	Territory      string `json:"territory"`
	Kind           string `json:"kind"`
	Accommodations int    `json:"accommodations"`
	Places         int    `json:"places"`
	Free           int    `json:"free"`
}

// Step is a housing step of a person.
type Step struct {
	ID              string `json:"id"`
	Person          string `json:"person"`
	Kind            string `json:"kind"`
	AccommodationID string `json:"accommodation_id"`
	Start           string `json:"start"`
	End             string `json:"end"`
	Reason          string `json:"reason"`
	Destination     string `json:"destination"`
}

// Accommodation is one of the housing worker's own accommodations.
type Accommodation struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	Territory string `json:"territory"`
	Capacity  int    `json:"capacity"`
	Occupied  int    `json:"occupied"`
	Free      int    `json:"free"`
	Open      []Step `json:"open_steps"`
}

// Offer is a place on the market: an area, never an address.
type Offer struct {
	ID               string `json:"id"`
	Source           string `json:"source"`
	MonthlyRentCents int64  `json:"monthly_rent_cents"`
	Territory        string `json:"territory"`
	Area             string `json:"area"`
	Places           int    `json:"places"`
	Conditions       string `json:"conditions"`
	AvailableFrom    string `json:"available_from"`
	Status           string `json:"status"`
}

// HousingProposal is an offer proposed to a person, and its outcome.
type HousingProposal struct {
	ID            string    `json:"id"`
	OfferID       string    `json:"offer_id"`
	ProposedAt    time.Time `json:"proposed_at"`
	Outcome       string    `json:"outcome"`
	OutcomeReason string    `json:"outcome_reason"`
	Lease         *struct {
		SignedOn         string `json:"signed_on"`
		Start            string `json:"start"`
		MonthlyRentCents int64  `json:"monthly_rent_cents"`
	} `json:"lease"`
}

// PersonHousing is a person's steps, rent support and proposals.
type PersonHousing struct {
	Person    string            `json:"person"`
	Steps     []Step            `json:"steps"`
	Proposals []HousingProposal `json:"proposals"`
}

// OfferMatches ranks the offers that fit a person, with the reasons in the
// language web asked for.
type OfferMatches struct {
	BudgetCents int64 `json:"budget_cents"`
	Matches     []struct {
		Offer   Offer    `json:"offer"`
		Reasons []string `json:"reasons"`
	} `json:"matches"`
}

// StepInput starts a step, or moves a person to the next one.
type StepInput struct {
	ID              string `json:"id,omitempty"`
	Person          string `json:"person,omitempty"`
	Kind            string `json:"kind"`
	AccommodationID string `json:"accommodation_id,omitempty"`
	Start           string `json:"start"`
}

// StepEnd ends a step: the day, why, and where the person went.
type StepEnd struct {
	End         string `json:"end"`
	Reason      string `json:"reason"`
	Destination string `json:"destination"`
}

// Lease is a signed lease.
type Lease struct {
	SignedOn         string `json:"signed_on"`
	Start            string `json:"start"`
	MonthlyRentCents int64  `json:"monthly_rent_cents"`
	DurationMonths   int    `json:"duration_months"`
}

// HousingCell is one of housing's aggregates for monitoring: a count of
// people, or a median over them; a suppressed cell carries no numbers.
type HousingCell struct {
	Indicator  string `json:"indicator"`
	Group      string `json:"group"`
	People     *int   `json:"people"`
	Value      *int   `json:"value"`
	Suppressed bool   `json:"suppressed"`
}

// HousingIndicators are housing's outcome measures across the network,
// as of now.
type HousingIndicators struct {
	MinCell int           `json:"min_cell"`
	Cells   []HousingCell `json:"cells"`
}

type (
	boardResponse struct {
		Rows []BoardRow `json:"rows"`
	}
	accommodationsResponse struct {
		Accommodations []Accommodation `json:"accommodations"`
	}
	offersResponse struct {
		Offers []Offer `json:"offers"`
	}
)

// Board returns the free places by territory and kind.
func (h *Housing) Board(ctx context.Context) ([]BoardRow, error) {
	resp, err := get[boardResponse](ctx, h.c, "housing.board", request{path: "/v1/availability"})
	return field(resp, err, func(r *boardResponse) []BoardRow { return r.Rows })
}

// Accommodations returns the caller's organisation's accommodations.
func (h *Housing) Accommodations(ctx context.Context) ([]Accommodation, error) {
	resp, err := get[accommodationsResponse](ctx, h.c, "housing.accommodations", request{path: "/v1/accommodations"})
	return field(resp, err, func(r *accommodationsResponse) []Accommodation { return r.Accommodations })
}

// Offers returns the open offers.
func (h *Housing) Offers(ctx context.Context) ([]Offer, error) {
	resp, err := get[offersResponse](ctx, h.c, "housing.offers", request{path: "/v1/offers"})
	return field(resp, err, func(r *offersResponse) []Offer { return r.Offers })
}

// Person returns a person's housing.
func (h *Housing) Person(ctx context.Context, person string) (*PersonHousing, error) {
	return get[PersonHousing](ctx, h.c, "housing.person", request{path: pathOf("/v1/persons/", person, "/housing")})
}

// Matches ranks the offers for a person, the reasons in lang.
func (h *Housing) Matches(ctx context.Context, person, lang string) (*OfferMatches, error) {
	return get[OfferMatches](ctx, h.c, "housing.offer_matches", request{path: pathOf("/v1/persons/", person, "/offer-matches"), query: inLang(lang)})
}

// Indicators returns the housing outcome measures for monitoring.
func (h *Housing) Indicators(ctx context.Context) (*HousingIndicators, error) {
	return get[HousingIndicators](ctx, h.c, "housing.indicators", request{path: "/v1/indicators"})
}

// StartStep starts a person's step. The step carries the id the form was
// given, so housing answers a repeated start with the same step: safe to
// retry. The other writes are not repeated.
func (h *Housing) StartStep(ctx context.Context, in StepInput) error {
	return post(ctx, h.c, h.c.retried, "housing.start_step", request{path: "/v1/steps", body: in})
}

// MoveStep ends step id and starts the next one.
func (h *Housing) MoveStep(ctx context.Context, id string, in StepInput) error {
	return post(ctx, h.c, h.c.once, "housing.move_step", request{path: pathOf("/v1/steps/", id, "/move"), body: in})
}

// EndStep ends step id.
func (h *Housing) EndStep(ctx context.Context, id string, in StepEnd) error {
	return post(ctx, h.c, h.c.once, "housing.end_step", request{path: pathOf("/v1/steps/", id, "/end"), body: in})
}

// Propose proposes offer id to person.
func (h *Housing) Propose(ctx context.Context, offer, person string) error {
	return post(ctx, h.c, h.c.once, "housing.propose_offer", request{path: pathOf("/v1/offers/", offer, "/proposals"), body: map[string]string{"person": person}})
}

// Decide records proposal id's outcome.
func (h *Housing) Decide(ctx context.Context, id, outcome, reason string) error {
	return post(ctx, h.c, h.c.once, "housing.decide_proposal", request{path: pathOf("/v1/proposals/", id, "/outcome"), body: map[string]string{"outcome": outcome, "reason": reason}})
}

// SignLease records the lease signed on proposal id.
func (h *Housing) SignLease(ctx context.Context, id string, l Lease) error {
	return post(ctx, h.c, h.c.once, "housing.sign_lease", request{path: pathOf("/v1/proposals/", id, "/lease"), body: l})
}

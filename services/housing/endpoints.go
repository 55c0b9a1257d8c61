package housing

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-kit/kit/endpoint"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/endpointkit"
	"github.com/percorsi/percorsi/pkg/instrument"
	"github.com/percorsi/percorsi/services/housing/domain"
)

// Endpoints are the housing use cases as go-kit endpoints.
type Endpoints struct {
	CreateAccommodation endpoint.Endpoint
	ListAccommodations  endpoint.Endpoint
	GetAccommodation    endpoint.Endpoint
	Board               endpoint.Endpoint
	StartStep           endpoint.Endpoint
	MoveStep            endpoint.Endpoint
	EndStep             endpoint.Endpoint
	Person              endpoint.Endpoint
	ExportSteps         endpoint.Endpoint
	GrantRentSupport    endpoint.Endpoint
	PayRentSupport      endpoint.Endpoint
	EndRentSupport      endpoint.Endpoint
	CreateOffer         endpoint.Endpoint
	ListOffers          endpoint.Endpoint
	PutProfile          endpoint.Endpoint
	Matches             endpoint.Endpoint
	Propose             endpoint.Endpoint
	Decide              endpoint.Endpoint
	SignLease           endpoint.Endpoint
	Indicators          endpoint.Endpoint
}

// MakeEndpoints puts each use case in the one chain (endpointkit.Chain).
// Which organisation's data the caller may touch is the use case's to
// decide.
func MakeEndpoints(s *Service, v auth.Verifier, log *slog.Logger, m *instrument.Metrics) Endpoints {
	c := endpointkit.Chain{Verifier: v, Log: log, Metrics: m}
	hw := auth.HousingWorker
	followers := []auth.Role{auth.HousingWorker, auth.CaseWorker}
	return Endpoints{
		CreateAccommodation: endpointkit.Use(c, "create_accommodation", s.createAccommodation, hw),
		ListAccommodations:  endpointkit.Use(c, "list_accommodations", s.listAccommodations, hw),
		GetAccommodation:    endpointkit.Use(c, "get_accommodation", s.getAccommodation, hw),
		Board:               endpointkit.Use(c, "board", s.board, auth.HousingWorker, auth.CaseWorker, auth.Monitoring),
		StartStep:           endpointkit.Use(c, "start_step", s.startStep, hw),
		MoveStep:            endpointkit.Use(c, "move_step", s.moveStep, hw),
		EndStep:             endpointkit.Use(c, "end_step", s.endStep, hw),
		Person:              endpointkit.Use(c, "person_housing", s.person, followers...),
		ExportSteps:         endpointkit.Use(c, "export_steps", s.exportSteps, hw),
		GrantRentSupport:    endpointkit.Use(c, "grant_rent_support", s.grantRentSupport, hw),
		PayRentSupport:      endpointkit.Use(c, "pay_rent_support", s.payRentSupport, hw),
		EndRentSupport:      endpointkit.Use(c, "end_rent_support", s.endRentSupport, hw),
		CreateOffer:         endpointkit.Use(c, "create_offer", s.createOffer, hw),
		ListOffers:          endpointkit.Use(c, "list_offers", s.listOffers, followers...),
		PutProfile:          endpointkit.Use(c, "put_profile", s.putProfile, followers...),
		Matches:             endpointkit.Use(c, "offer_matches", s.matches, followers...),
		Propose:             endpointkit.Use(c, "propose_offer", s.propose, hw),
		Decide:              endpointkit.Use(c, "decide_proposal", s.decide, hw),
		SignLease:           endpointkit.Use(c, "sign_lease", s.signLease, hw),
		Indicators:          endpointkit.Use(c, "indicators", s.indicators, auth.Monitoring, auth.CaseWorker, auth.HousingWorker),
	}
}

// created marks a response as a new resource (201) or not (200).
type created bool

// StatusCode implements kithttp.StatusCoder.
func (c created) StatusCode() int {
	if c {
		return http.StatusCreated
	}
	return http.StatusOK
}

// AccommodationRequest is a new accommodation.
type AccommodationRequest struct {
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	Territory string `json:"territory"`
	Address   string `json:"address"`
	Capacity  int    `json:"capacity"`
}

// AccommodationJSON is an accommodation as its own organisation sees it:
// the only place its address is ever shown.
type AccommodationJSON struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Kind      string     `json:"kind"`
	Territory string     `json:"territory"`
	Address   string     `json:"address"`
	Capacity  int        `json:"capacity"`
	Occupied  int        `json:"occupied"`
	Free      int        `json:"free"`
	Open      []StepJSON `json:"open_steps,omitempty"`
}

// AccommodationResponse is one accommodation.
type AccommodationResponse struct {
	Accommodation AccommodationJSON `json:"accommodation"`
	created
}

func accommodationJSON(o *Occupancy) AccommodationJSON {
	a := AccommodationJSON{
		ID: o.ID, Name: o.Name, Kind: string(o.Kind), Territory: o.Territory, Address: o.Address,
		Capacity: o.Capacity, Occupied: o.Occupied, Free: max(0, o.Capacity-o.Occupied),
	}
	for _, st := range o.Open {
		a.Open = append(a.Open, stepJSON(&st))
	}
	return a
}

func (s *Service) createAccommodation(ctx context.Context, r AccommodationRequest) (AccommodationResponse, error) {
	o, err := s.CreateAccommodation(ctx, AccommodationInput{Name: r.Name, Kind: r.Kind, Territory: r.Territory, Address: r.Address, Capacity: r.Capacity})
	if err != nil {
		return AccommodationResponse{}, err
	}
	return AccommodationResponse{Accommodation: accommodationJSON(o), created: true}, nil
}

// AccommodationsResponse lists the caller's organisation's accommodations.
type AccommodationsResponse struct {
	Accommodations []AccommodationJSON `json:"accommodations"`
}

func (s *Service) listAccommodations(ctx context.Context, _ struct{}) (AccommodationsResponse, error) {
	list, err := s.OwnAccommodations(ctx)
	if err != nil {
		return AccommodationsResponse{}, err
	}
	resp := AccommodationsResponse{Accommodations: make([]AccommodationJSON, len(list))}
	for i := range list {
		resp.Accommodations[i] = accommodationJSON(&list[i])
	}
	return resp, nil
}

// IDRequest names one resource by its path.
type IDRequest struct{ ID string }

func (s *Service) getAccommodation(ctx context.Context, r IDRequest) (AccommodationResponse, error) {
	o, err := s.Accommodation(ctx, r.ID)
	if err != nil {
		return AccommodationResponse{}, err
	}
	return AccommodationResponse{Accommodation: accommodationJSON(o)}, nil
}

// FilterRequest narrows the board or the offers by kind and territory.
type FilterRequest struct{ Kind, Territory string }

// BoardRowJSON is free places of a kind in a territory: counts only.
type BoardRowJSON struct {
	Territory      string `json:"territory"`
	Kind           string `json:"kind"`
	Accommodations int    `json:"accommodations"`
	Places         int    `json:"places"`
	Free           int    `json:"free"`
}

// BoardResponse is the availability board.
type BoardResponse struct {
	Rows []BoardRowJSON `json:"rows"`
}

func (s *Service) board(ctx context.Context, r FilterRequest) (BoardResponse, error) {
	rows, err := s.Board(ctx, r.Kind, r.Territory)
	if err != nil {
		return BoardResponse{}, err
	}
	resp := BoardResponse{Rows: make([]BoardRowJSON, len(rows))}
	for i, row := range rows {
		resp.Rows[i] = BoardRowJSON{Territory: row.Territory, Kind: string(row.Kind), Accommodations: row.Accommodations, Places: row.Places, Free: row.Free}
	}
	return resp, nil
}

// StepRequest starts a step.
type StepRequest struct {
	ID              string `json:"id"`
	Person          string `json:"person"`
	Kind            string `json:"kind"`
	AccommodationID string `json:"accommodation_id"`
	Start           string `json:"start"`
}

// StepJSON is a housing step on the wire.
type StepJSON struct {
	ID              string `json:"id"`
	Person          string `json:"person"`
	Organisation    string `json:"organisation,omitempty"`
	Kind            string `json:"kind"`
	AccommodationID string `json:"accommodation_id,omitempty"`
	Start           string `json:"start"`
	Previous        string `json:"previous,omitempty"`
	End             string `json:"end,omitempty"`
	Reason          string `json:"reason,omitempty"`
	Destination     string `json:"destination,omitempty"`
}

func stepJSON(s *domain.Step) StepJSON {
	return StepJSON{
		ID: s.ID, Person: s.Person, Organisation: s.Organisation, Kind: string(s.Kind), AccommodationID: s.AccommodationID,
		Start: endpointkit.FormatDate(s.Start), Previous: s.Previous, End: endpointkit.FormatDate(s.End), Reason: string(s.Reason), Destination: string(s.Destination),
	}
}

// StepResponse is one step.
type StepResponse struct {
	Step StepJSON `json:"step"`
	created
}

func (s *Service) startStep(ctx context.Context, r StepRequest) (StepResponse, error) {
	st, isNew, err := s.StartStep(ctx, StepInput{ID: r.ID, Person: r.Person, Kind: r.Kind, AccommodationID: r.AccommodationID, Start: r.Start})
	if err != nil {
		return StepResponse{}, err
	}
	return StepResponse{Step: stepJSON(st), created: created(isNew)}, nil
}

// MoveRequest moves a person from a step to the next one.
type MoveRequest struct {
	From            string `json:"-"`
	Kind            string `json:"kind"`
	AccommodationID string `json:"accommodation_id"`
	Start           string `json:"start"`
}

func (s *Service) moveStep(ctx context.Context, r MoveRequest) (StepResponse, error) {
	st, err := s.MoveStep(ctx, r.From, MoveInput{Kind: r.Kind, AccommodationID: r.AccommodationID, Start: r.Start})
	if err != nil {
		return StepResponse{}, err
	}
	return StepResponse{Step: stepJSON(st), created: true}, nil
}

// EndStepRequest ends a step as an exit from the housing pathway.
type EndStepRequest struct {
	ID          string `json:"-"`
	End         string `json:"end"`
	Reason      string `json:"reason"`
	Destination string `json:"destination"`
}

func (s *Service) endStep(ctx context.Context, r EndStepRequest) (StepResponse, error) {
	st, err := s.EndStep(ctx, r.ID, EndInput{End: r.End, Reason: r.Reason, Destination: r.Destination})
	if err != nil {
		return StepResponse{}, err
	}
	return StepResponse{Step: stepJSON(st)}, nil
}

// PersonResponse is a person's housing so far.
type PersonResponse struct {
	Person       string            `json:"person"`
	Steps        []StepJSON        `json:"steps"`
	RentSupports []RentSupportJSON `json:"rent_supports"`
	Proposals    []ProposalJSON    `json:"proposals"`
	Profile      *ProfileJSON      `json:"profile"`
}

func (s *Service) person(ctx context.Context, r IDRequest) (PersonResponse, error) {
	v, err := s.Person(ctx, r.ID)
	if err != nil {
		return PersonResponse{}, err
	}
	resp := PersonResponse{Person: v.Person, Steps: []StepJSON{}, RentSupports: []RentSupportJSON{}, Proposals: []ProposalJSON{}}
	for _, st := range v.Steps {
		resp.Steps = append(resp.Steps, stepJSON(&st))
	}
	for _, r := range v.RentSupports {
		resp.RentSupports = append(resp.RentSupports, rentSupportJSON(&r))
	}
	for _, p := range v.Proposals {
		resp.Proposals = append(resp.Proposals, proposalJSON(&p))
	}
	if v.Profile != nil {
		p := profileJSON(v.Profile)
		resp.Profile = &p
	}
	return resp, nil
}

// ExportResponse is an organisation's steps, written as CSV over HTTP.
type ExportResponse struct {
	Steps []ExportedStepJSON `json:"steps"`
}

// ExportedStepJSON is a step with the accommodation's name and province,
// never its address.
type ExportedStepJSON struct {
	StepJSON
	AccommodationName string `json:"accommodation_name,omitempty"`
	Territory         string `json:"territory,omitempty"`
}

func (s *Service) exportSteps(ctx context.Context, _ struct{}) (ExportResponse, error) {
	rows, err := s.ExportSteps(ctx)
	if err != nil {
		return ExportResponse{}, err
	}
	resp := ExportResponse{Steps: make([]ExportedStepJSON, len(rows))}
	for i, r := range rows {
		resp.Steps[i] = ExportedStepJSON{StepJSON: stepJSON(&r.Step), AccommodationName: r.AccommodationName, Territory: r.Territory}
	}
	return resp, nil
}

// RentSupportRequest grants rent support.
type RentSupportRequest struct {
	Person             string `json:"person"`
	MonthlyAmountCents int64  `json:"monthly_amount_cents"`
	Months             int    `json:"months"`
	Start              string `json:"start"`
}

// RentSupportJSON is a grant on the wire.
type RentSupportJSON struct {
	ID                 string        `json:"id"`
	Person             string        `json:"person"`
	MonthlyAmountCents int64         `json:"monthly_amount_cents"`
	Months             int           `json:"months"`
	Start              string        `json:"start"`
	Payments           []PaymentJSON `json:"payments"`
	Ended              string        `json:"ended,omitempty"`
	EndReason          string        `json:"end_reason,omitempty"`
}

// PaymentJSON is one month paid.
type PaymentJSON struct {
	Month       string `json:"month"`
	AmountCents int64  `json:"amount_cents"`
}

func rentSupportJSON(r *domain.RentSupport) RentSupportJSON {
	out := RentSupportJSON{
		ID: r.ID, Person: r.Person, MonthlyAmountCents: r.MonthlyCents, Months: r.Months, Start: endpointkit.FormatDate(r.Start),
		Payments: []PaymentJSON{}, Ended: endpointkit.FormatDate(r.Ended), EndReason: r.EndReason,
	}
	for _, p := range r.Payments {
		out.Payments = append(out.Payments, PaymentJSON{Month: p.Month, AmountCents: p.AmountCents})
	}
	return out
}

// RentSupportResponse is one grant.
type RentSupportResponse struct {
	RentSupport RentSupportJSON `json:"rent_support"`
	created
}

func (s *Service) grantRentSupport(ctx context.Context, r RentSupportRequest) (RentSupportResponse, error) {
	rs, err := s.GrantRentSupport(ctx, RentSupportInput{Person: r.Person, MonthlyAmountCents: r.MonthlyAmountCents, Months: r.Months, Start: r.Start})
	if err != nil {
		return RentSupportResponse{}, err
	}
	return RentSupportResponse{RentSupport: rentSupportJSON(rs), created: true}, nil
}

// PaymentRequest records a month paid.
type PaymentRequest struct {
	ID          string `json:"-"`
	Month       string `json:"month"`
	AmountCents int64  `json:"amount_cents"`
}

func (s *Service) payRentSupport(ctx context.Context, r PaymentRequest) (RentSupportResponse, error) {
	rs, err := s.PayRentSupport(ctx, r.ID, r.Month, r.AmountCents)
	if err != nil {
		return RentSupportResponse{}, err
	}
	return RentSupportResponse{RentSupport: rentSupportJSON(rs)}, nil
}

// EndRentSupportRequest ends a grant early.
type EndRentSupportRequest struct {
	ID     string `json:"-"`
	End    string `json:"end"`
	Reason string `json:"reason"`
}

func (s *Service) endRentSupport(ctx context.Context, r EndRentSupportRequest) (RentSupportResponse, error) {
	rs, err := s.EndRentSupport(ctx, r.ID, r.End, r.Reason)
	if err != nil {
		return RentSupportResponse{}, err
	}
	return RentSupportResponse{RentSupport: rentSupportJSON(rs)}, nil
}

// OfferRequest is a room or flat offered.
type OfferRequest struct {
	Source           string `json:"source"`
	MonthlyRentCents int64  `json:"monthly_rent_cents"`
	Territory        string `json:"territory"`
	Area             string `json:"area"`
	Places           int    `json:"places"`
	Conditions       string `json:"conditions"`
	AvailableFrom    string `json:"available_from"`
}

// OfferJSON is an offer on the wire: an area, never an address.
type OfferJSON struct {
	ID               string `json:"id"`
	Organisation     string `json:"organisation"`
	Source           string `json:"source"`
	MonthlyRentCents int64  `json:"monthly_rent_cents"`
	Territory        string `json:"territory"`
	Area             string `json:"area"`
	Places           int    `json:"places"`
	Conditions       string `json:"conditions,omitempty"`
	AvailableFrom    string `json:"available_from"`
	Status           string `json:"status"`
}

func offerJSON(o *domain.Offer) OfferJSON {
	return OfferJSON{
		ID: o.ID, Organisation: o.Organisation, Source: string(o.Source), MonthlyRentCents: o.MonthlyRentCents, Territory: o.Territory,
		Area: o.Area, Places: o.Places, Conditions: o.Conditions, AvailableFrom: endpointkit.FormatDate(o.AvailableFrom), Status: string(o.Status),
	}
}

// OfferResponse is one offer.
type OfferResponse struct {
	Offer OfferJSON `json:"offer"`
	created
}

func (s *Service) createOffer(ctx context.Context, r OfferRequest) (OfferResponse, error) {
	o, err := s.CreateOffer(ctx, OfferInput{
		Source: r.Source, MonthlyRentCents: r.MonthlyRentCents, Territory: r.Territory, Area: r.Area,
		Places: r.Places, Conditions: r.Conditions, AvailableFrom: r.AvailableFrom,
	})
	if err != nil {
		return OfferResponse{}, err
	}
	return OfferResponse{Offer: offerJSON(o), created: true}, nil
}

// OffersResponse lists open offers.
type OffersResponse struct {
	Offers []OfferJSON `json:"offers"`
}

func (s *Service) listOffers(ctx context.Context, r FilterRequest) (OffersResponse, error) {
	list, err := s.OpenOffers(ctx, r.Territory)
	if err != nil {
		return OffersResponse{}, err
	}
	resp := OffersResponse{Offers: make([]OfferJSON, len(list))}
	for i := range list {
		resp.Offers[i] = offerJSON(&list[i])
	}
	return resp, nil
}

// ProfileRequest is a person's readiness for autonomy.
type ProfileRequest struct {
	Person             string `json:"-"`
	MonthlyIncomeCents int64  `json:"monthly_income_cents"`
	HouseholdSize      int    `json:"household_size"`
	WorkTerritory      string `json:"work_territory"`
	WorkArea           string `json:"work_area"`
}

// ProfileJSON is a readiness profile on the wire.
type ProfileJSON struct {
	Person             string `json:"person"`
	MonthlyIncomeCents int64  `json:"monthly_income_cents"`
	HouseholdSize      int    `json:"household_size"`
	WorkTerritory      string `json:"work_territory"`
	WorkArea           string `json:"work_area"`
}

func profileJSON(p *domain.Profile) ProfileJSON {
	return ProfileJSON{Person: p.Person, MonthlyIncomeCents: p.MonthlyIncomeCents, HouseholdSize: p.HouseholdSize, WorkTerritory: p.WorkTerritory, WorkArea: p.WorkArea}
}

// ProfileResponse is one profile.
type ProfileResponse struct {
	Profile ProfileJSON `json:"profile"`
}

func (s *Service) putProfile(ctx context.Context, r ProfileRequest) (ProfileResponse, error) {
	p, err := s.PutProfile(ctx, r.Person, ProfileInput{MonthlyIncomeCents: r.MonthlyIncomeCents, HouseholdSize: r.HouseholdSize, WorkTerritory: r.WorkTerritory, WorkArea: r.WorkArea})
	if err != nil {
		return ProfileResponse{}, err
	}
	return ProfileResponse{Profile: profileJSON(p)}, nil
}

// MatchJSON is an offer that fits, with its reasons in the language asked.
type MatchJSON struct {
	Offer   OfferJSON `json:"offer"`
	Score   float64   `json:"score"`
	Reasons []string  `json:"reasons"`
}

// MatchesResponse ranks the offers that fit a person.
type MatchesResponse struct {
	Profile          ProfileJSON `json:"profile"`
	RentSupportCents int64       `json:"rent_support_cents"`
	BudgetCents      int64       `json:"budget_cents"`
	Matches          []MatchJSON `json:"matches"`
}

// MatchesRequest asks for the offers that fit a person, the reasons said
// in a language.
type MatchesRequest struct {
	Person string
	Lang   string // it or en
}

func (s *Service) matches(ctx context.Context, req MatchesRequest) (MatchesResponse, error) {
	v, err := s.Matches(ctx, req.Person)
	if err != nil {
		return MatchesResponse{}, err
	}
	resp := MatchesResponse{Profile: profileJSON(v.Profile), RentSupportCents: v.RentSupport, BudgetCents: v.BudgetCents, Matches: []MatchJSON{}}
	for _, m := range v.Matches {
		resp.Matches = append(resp.Matches, MatchJSON{Offer: offerJSON(&m.Offer), Score: m.Score, Reasons: explainAll(m.Reasons, req.Lang)})
	}
	return resp, nil
}

// ProposeRequest proposes an offer to a person.
type ProposeRequest struct {
	OfferID string `json:"-"`
	Person  string `json:"person"`
}

// ProposalJSON is a proposal and its outcome.
type ProposalJSON struct {
	ID            string     `json:"id"`
	OfferID       string     `json:"offer_id"`
	Person        string     `json:"person"`
	ProposedAt    time.Time  `json:"proposed_at"`
	Outcome       string     `json:"outcome"`
	OutcomeReason string     `json:"outcome_reason,omitempty"`
	Lease         *LeaseJSON `json:"lease,omitempty"`
}

// LeaseJSON is a signed lease.
type LeaseJSON struct {
	SignedOn         string `json:"signed_on"`
	Start            string `json:"start"`
	MonthlyRentCents int64  `json:"monthly_rent_cents"`
	DurationMonths   int    `json:"duration_months"`
	StepID           string `json:"step_id"`
}

func proposalJSON(p *domain.Proposal) ProposalJSON {
	out := ProposalJSON{ID: p.ID, OfferID: p.OfferID, Person: p.Person, ProposedAt: p.ProposedAt, Outcome: string(p.Outcome), OutcomeReason: p.OutcomeReason}
	if l := p.Lease; l != nil {
		out.Lease = &LeaseJSON{SignedOn: endpointkit.FormatDate(l.SignedOn), Start: endpointkit.FormatDate(l.Start), MonthlyRentCents: l.MonthlyRentCents, DurationMonths: l.DurationMonths, StepID: l.StepID}
	}
	return out
}

// ProposalResponse is one proposal, and the step a lease started.
type ProposalResponse struct {
	Proposal ProposalJSON `json:"proposal"`
	Step     *StepJSON    `json:"step,omitempty"`
	created
}

func (s *Service) propose(ctx context.Context, r ProposeRequest) (ProposalResponse, error) {
	p, err := s.Propose(ctx, r.OfferID, r.Person)
	if err != nil {
		return ProposalResponse{}, err
	}
	return ProposalResponse{Proposal: proposalJSON(p), created: true}, nil
}

// DecideRequest records a proposal's outcome.
type DecideRequest struct {
	ID      string `json:"-"`
	Outcome string `json:"outcome"`
	Reason  string `json:"reason"`
}

func (s *Service) decide(ctx context.Context, r DecideRequest) (ProposalResponse, error) {
	p, err := s.Decide(ctx, r.ID, r.Outcome, r.Reason)
	if err != nil {
		return ProposalResponse{}, err
	}
	return ProposalResponse{Proposal: proposalJSON(p)}, nil
}

// LeaseRequest is a signed lease.
type LeaseRequest struct {
	ID               string `json:"-"`
	SignedOn         string `json:"signed_on"`
	Start            string `json:"start"`
	MonthlyRentCents int64  `json:"monthly_rent_cents"`
	DurationMonths   int    `json:"duration_months"`
}

func (s *Service) signLease(ctx context.Context, r LeaseRequest) (ProposalResponse, error) {
	p, st, err := s.SignLease(ctx, r.ID, LeaseInput{SignedOn: r.SignedOn, Start: r.Start, MonthlyRentCents: r.MonthlyRentCents, DurationMonths: r.DurationMonths})
	if err != nil {
		return ProposalResponse{}, err
	}
	step := stepJSON(st)
	return ProposalResponse{Proposal: proposalJSON(p), Step: &step}, nil
}

// CellJSON is one aggregate; a suppressed cell carries no numbers.
type CellJSON struct {
	Indicator  string `json:"indicator"`
	Group      string `json:"group"`
	People     *int   `json:"people,omitempty"`
	Value      *int   `json:"value,omitempty"`
	Suppressed bool   `json:"suppressed,omitempty"`
}

// IndicatorsResponse is the outcome measures for monitoring.
type IndicatorsResponse struct {
	MinCell int        `json:"min_cell"`
	Cells   []CellJSON `json:"cells"`
}

func (s *Service) indicators(ctx context.Context, _ struct{}) (IndicatorsResponse, error) {
	cells, err := s.Indicators(ctx)
	if err != nil {
		return IndicatorsResponse{}, err
	}
	resp := IndicatorsResponse{MinCell: domain.MinCell, Cells: make([]CellJSON, len(cells))}
	for i, c := range cells {
		resp.Cells[i] = CellJSON{Indicator: c.Indicator, Group: c.Group, Suppressed: c.Suppressed}
		if !c.Suppressed {
			resp.Cells[i].People, resp.Cells[i].Value = &c.People, &c.Value
		}
	}
	return resp, nil
}

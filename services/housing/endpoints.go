package housing

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-kit/kit/endpoint"

	"github.com/percorsi/percorsi/pkg/auth"
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

// MakeEndpoints wraps each use case in the same chain: instrumentation
// outermost, then authentication and role check. Which organisation's data
// the caller may touch is the use case's to decide.
func MakeEndpoints(s *Service, v auth.Verifier, log *slog.Logger, m *instrument.Metrics) Endpoints {
	wrap := func(name string, e endpoint.Endpoint, roles ...auth.Role) endpoint.Endpoint {
		return endpoint.Chain(instrument.Endpoint(name, log, m), auth.Require(v, roles...))(e)
	}
	hw := auth.HousingWorker
	followers := []auth.Role{auth.HousingWorker, auth.CaseWorker}
	return Endpoints{
		CreateAccommodation: wrap("create_accommodation", makeCreateAccommodation(s), hw),
		ListAccommodations:  wrap("list_accommodations", makeListAccommodations(s), hw),
		GetAccommodation:    wrap("get_accommodation", makeGetAccommodation(s), hw),
		Board:               wrap("board", makeBoard(s), auth.HousingWorker, auth.CaseWorker, auth.Monitoring),
		StartStep:           wrap("start_step", makeStartStep(s), hw),
		MoveStep:            wrap("move_step", makeMoveStep(s), hw),
		EndStep:             wrap("end_step", makeEndStep(s), hw),
		Person:              wrap("person_housing", makePerson(s), followers...),
		ExportSteps:         wrap("export_steps", makeExportSteps(s), hw),
		GrantRentSupport:    wrap("grant_rent_support", makeGrantRentSupport(s), hw),
		PayRentSupport:      wrap("pay_rent_support", makePayRentSupport(s), hw),
		EndRentSupport:      wrap("end_rent_support", makeEndRentSupport(s), hw),
		CreateOffer:         wrap("create_offer", makeCreateOffer(s), hw),
		ListOffers:          wrap("list_offers", makeListOffers(s), followers...),
		PutProfile:          wrap("put_profile", makePutProfile(s), followers...),
		Matches:             wrap("offer_matches", makeMatches(s), followers...),
		Propose:             wrap("propose_offer", makePropose(s), hw),
		Decide:              wrap("decide_proposal", makeDecide(s), hw),
		SignLease:           wrap("sign_lease", makeSignLease(s), hw),
		Indicators:          wrap("indicators", makeIndicators(s), auth.Monitoring, auth.CaseWorker, auth.HousingWorker),
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

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
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

func makeCreateAccommodation(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		r := request.(AccommodationRequest)
		o, err := s.CreateAccommodation(ctx, AccommodationInput{Name: r.Name, Kind: r.Kind, Territory: r.Territory, Address: r.Address, Capacity: r.Capacity})
		if err != nil {
			return nil, err
		}
		return AccommodationResponse{Accommodation: accommodationJSON(o), created: true}, nil
	}
}

// AccommodationsResponse lists the caller's organisation's accommodations.
type AccommodationsResponse struct {
	Accommodations []AccommodationJSON `json:"accommodations"`
}

func makeListAccommodations(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, _ any) (any, error) {
		list, err := s.OwnAccommodations(ctx)
		if err != nil {
			return nil, err
		}
		resp := AccommodationsResponse{Accommodations: make([]AccommodationJSON, len(list))}
		for i := range list {
			resp.Accommodations[i] = accommodationJSON(&list[i])
		}
		return resp, nil
	}
}

// IDRequest names one resource by its path.
type IDRequest struct{ ID string }

func makeGetAccommodation(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		o, err := s.Accommodation(ctx, request.(IDRequest).ID)
		if err != nil {
			return nil, err
		}
		return AccommodationResponse{Accommodation: accommodationJSON(o)}, nil
	}
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

func makeBoard(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		r := request.(FilterRequest)
		rows, err := s.Board(ctx, r.Kind, r.Territory)
		if err != nil {
			return nil, err
		}
		resp := BoardResponse{Rows: make([]BoardRowJSON, len(rows))}
		for i, row := range rows {
			resp.Rows[i] = BoardRowJSON{Territory: row.Territory, Kind: string(row.Kind), Accommodations: row.Accommodations, Places: row.Places, Free: row.Free}
		}
		return resp, nil
	}
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
		Start: date(s.Start), Previous: s.Previous, End: date(s.End), Reason: string(s.Reason), Destination: string(s.Destination),
	}
}

// StepResponse is one step.
type StepResponse struct {
	Step StepJSON `json:"step"`
	created
}

func makeStartStep(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		r := request.(StepRequest)
		st, isNew, err := s.StartStep(ctx, StepInput{ID: r.ID, Person: r.Person, Kind: r.Kind, AccommodationID: r.AccommodationID, Start: r.Start})
		if err != nil {
			return nil, err
		}
		return StepResponse{Step: stepJSON(st), created: created(isNew)}, nil
	}
}

// MoveRequest moves a person from a step to the next one.
type MoveRequest struct {
	From            string `json:"-"`
	Kind            string `json:"kind"`
	AccommodationID string `json:"accommodation_id"`
	Start           string `json:"start"`
}

func makeMoveStep(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		r := request.(MoveRequest)
		st, err := s.MoveStep(ctx, r.From, MoveInput{Kind: r.Kind, AccommodationID: r.AccommodationID, Start: r.Start})
		if err != nil {
			return nil, err
		}
		return StepResponse{Step: stepJSON(st), created: true}, nil
	}
}

// EndStepRequest ends a step as an exit from the housing pathway.
type EndStepRequest struct {
	ID          string `json:"-"`
	End         string `json:"end"`
	Reason      string `json:"reason"`
	Destination string `json:"destination"`
}

func makeEndStep(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		r := request.(EndStepRequest)
		st, err := s.EndStep(ctx, r.ID, EndInput{End: r.End, Reason: r.Reason, Destination: r.Destination})
		if err != nil {
			return nil, err
		}
		return StepResponse{Step: stepJSON(st)}, nil
	}
}

// PersonResponse is a person's housing so far.
type PersonResponse struct {
	Person       string            `json:"person"`
	Steps        []StepJSON        `json:"steps"`
	RentSupports []RentSupportJSON `json:"rent_supports"`
	Proposals    []ProposalJSON    `json:"proposals"`
	Profile      *ProfileJSON      `json:"profile"`
}

func makePerson(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		v, err := s.Person(ctx, request.(IDRequest).ID)
		if err != nil {
			return nil, err
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
}

// ExportResponse is an organisation's steps, written as CSV.
type ExportResponse struct{ Rows []ExportRow }

func makeExportSteps(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, _ any) (any, error) {
		rows, err := s.ExportSteps(ctx)
		if err != nil {
			return nil, err
		}
		return ExportResponse{Rows: rows}, nil
	}
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
		ID: r.ID, Person: r.Person, MonthlyAmountCents: r.MonthlyCents, Months: r.Months, Start: date(r.Start),
		Payments: []PaymentJSON{}, Ended: date(r.Ended), EndReason: r.EndReason,
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

func makeGrantRentSupport(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		r := request.(RentSupportRequest)
		rs, err := s.GrantRentSupport(ctx, RentSupportInput{Person: r.Person, MonthlyAmountCents: r.MonthlyAmountCents, Months: r.Months, Start: r.Start})
		if err != nil {
			return nil, err
		}
		return RentSupportResponse{RentSupport: rentSupportJSON(rs), created: true}, nil
	}
}

// PaymentRequest records a month paid.
type PaymentRequest struct {
	ID          string `json:"-"`
	Month       string `json:"month"`
	AmountCents int64  `json:"amount_cents"`
}

func makePayRentSupport(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		r := request.(PaymentRequest)
		rs, err := s.PayRentSupport(ctx, r.ID, r.Month, r.AmountCents)
		if err != nil {
			return nil, err
		}
		return RentSupportResponse{RentSupport: rentSupportJSON(rs)}, nil
	}
}

// EndRentSupportRequest ends a grant early.
type EndRentSupportRequest struct {
	ID     string `json:"-"`
	End    string `json:"end"`
	Reason string `json:"reason"`
}

func makeEndRentSupport(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		r := request.(EndRentSupportRequest)
		rs, err := s.EndRentSupport(ctx, r.ID, r.End, r.Reason)
		if err != nil {
			return nil, err
		}
		return RentSupportResponse{RentSupport: rentSupportJSON(rs)}, nil
	}
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
		Area: o.Area, Places: o.Places, Conditions: o.Conditions, AvailableFrom: date(o.AvailableFrom), Status: string(o.Status),
	}
}

// OfferResponse is one offer.
type OfferResponse struct {
	Offer OfferJSON `json:"offer"`
	created
}

func makeCreateOffer(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		r := request.(OfferRequest)
		o, err := s.CreateOffer(ctx, OfferInput{
			Source: r.Source, MonthlyRentCents: r.MonthlyRentCents, Territory: r.Territory, Area: r.Area,
			Places: r.Places, Conditions: r.Conditions, AvailableFrom: r.AvailableFrom,
		})
		if err != nil {
			return nil, err
		}
		return OfferResponse{Offer: offerJSON(o), created: true}, nil
	}
}

// OffersResponse lists open offers.
type OffersResponse struct {
	Offers []OfferJSON `json:"offers"`
}

func makeListOffers(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		list, err := s.OpenOffers(ctx, request.(FilterRequest).Territory)
		if err != nil {
			return nil, err
		}
		resp := OffersResponse{Offers: make([]OfferJSON, len(list))}
		for i := range list {
			resp.Offers[i] = offerJSON(&list[i])
		}
		return resp, nil
	}
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

func makePutProfile(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		r := request.(ProfileRequest)
		p, err := s.PutProfile(ctx, r.Person, ProfileInput{MonthlyIncomeCents: r.MonthlyIncomeCents, HouseholdSize: r.HouseholdSize, WorkTerritory: r.WorkTerritory, WorkArea: r.WorkArea})
		if err != nil {
			return nil, err
		}
		return ProfileResponse{Profile: profileJSON(p)}, nil
	}
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

func makeMatches(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(MatchesRequest)
		v, err := s.Matches(ctx, req.Person)
		if err != nil {
			return nil, err
		}
		resp := MatchesResponse{Profile: profileJSON(v.Profile), RentSupportCents: v.RentSupport, BudgetCents: v.BudgetCents, Matches: []MatchJSON{}}
		for _, m := range v.Matches {
			resp.Matches = append(resp.Matches, MatchJSON{Offer: offerJSON(&m.Offer), Score: m.Score, Reasons: explainAll(m.Reasons, req.Lang)})
		}
		return resp, nil
	}
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
		out.Lease = &LeaseJSON{SignedOn: date(l.SignedOn), Start: date(l.Start), MonthlyRentCents: l.MonthlyRentCents, DurationMonths: l.DurationMonths, StepID: l.StepID}
	}
	return out
}

// ProposalResponse is one proposal, and the step a lease started.
type ProposalResponse struct {
	Proposal ProposalJSON `json:"proposal"`
	Step     *StepJSON    `json:"step,omitempty"`
	created
}

func makePropose(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		r := request.(ProposeRequest)
		p, err := s.Propose(ctx, r.OfferID, r.Person)
		if err != nil {
			return nil, err
		}
		return ProposalResponse{Proposal: proposalJSON(p), created: true}, nil
	}
}

// DecideRequest records a proposal's outcome.
type DecideRequest struct {
	ID      string `json:"-"`
	Outcome string `json:"outcome"`
	Reason  string `json:"reason"`
}

func makeDecide(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		r := request.(DecideRequest)
		p, err := s.Decide(ctx, r.ID, r.Outcome, r.Reason)
		if err != nil {
			return nil, err
		}
		return ProposalResponse{Proposal: proposalJSON(p)}, nil
	}
}

// LeaseRequest is a signed lease.
type LeaseRequest struct {
	ID               string `json:"-"`
	SignedOn         string `json:"signed_on"`
	Start            string `json:"start"`
	MonthlyRentCents int64  `json:"monthly_rent_cents"`
	DurationMonths   int    `json:"duration_months"`
}

func makeSignLease(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		r := request.(LeaseRequest)
		p, st, err := s.SignLease(ctx, r.ID, LeaseInput{SignedOn: r.SignedOn, Start: r.Start, MonthlyRentCents: r.MonthlyRentCents, DurationMonths: r.DurationMonths})
		if err != nil {
			return nil, err
		}
		step := stepJSON(st)
		return ProposalResponse{Proposal: proposalJSON(p), Step: &step}, nil
	}
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

func makeIndicators(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, _ any) (any, error) {
		cells, err := s.Indicators(ctx)
		if err != nil {
			return nil, err
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
}

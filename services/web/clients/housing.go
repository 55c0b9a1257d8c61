package clients

import (
	"context"

	housingv1 "github.com/percorsi/percorsi/proto/percorsi/housing/v1"
)

// Housing is a client of the housing gRPC API
// (proto/percorsi/housing/v1/housing_service.proto).
type Housing struct{ c *Conn }

// NewHousing returns the housing client of c.
func NewHousing(c *Conn) *Housing { return &Housing{c} }

// Board returns the free places by territory and kind.
func (h *Housing) Board(ctx context.Context) ([]*housingv1.BoardRow, error) {
	resp, err := call[housingv1.BoardResponse](ctx, h.c, h.c.retried, "housing.board", housingv1.HousingService_Board_FullMethodName, &housingv1.BoardRequest{})
	return resp.GetRows(), err
}

// Accommodations returns the caller's organisation's accommodations.
func (h *Housing) Accommodations(ctx context.Context) ([]*housingv1.Accommodation, error) {
	resp, err := call[housingv1.ListAccommodationsResponse](ctx, h.c, h.c.retried, "housing.accommodations", housingv1.HousingService_ListAccommodations_FullMethodName, &housingv1.ListAccommodationsRequest{})
	return resp.GetAccommodations(), err
}

// Offers returns the open offers.
func (h *Housing) Offers(ctx context.Context) ([]*housingv1.Offer, error) {
	resp, err := call[housingv1.ListOffersResponse](ctx, h.c, h.c.retried, "housing.offers", housingv1.HousingService_ListOffers_FullMethodName, &housingv1.ListOffersRequest{})
	return resp.GetOffers(), err
}

// Person returns a person's housing.
func (h *Housing) Person(ctx context.Context, person string) (*housingv1.PersonHousingResponse, error) {
	return call[housingv1.PersonHousingResponse](ctx, h.c, h.c.retried, "housing.person", housingv1.HousingService_PersonHousing_FullMethodName, &housingv1.PersonHousingRequest{Id: person})
}

// Matches ranks the offers for a person, the reasons in lang.
func (h *Housing) Matches(ctx context.Context, person, lang string) (*housingv1.OfferMatchesResponse, error) {
	return call[housingv1.OfferMatchesResponse](ctx, h.c, h.c.retried, "housing.offer_matches", housingv1.HousingService_OfferMatches_FullMethodName, &housingv1.OfferMatchesRequest{Person: person, Lang: lang})
}

// Indicators returns the housing outcome measures for monitoring.
func (h *Housing) Indicators(ctx context.Context) (*housingv1.IndicatorsResponse, error) {
	return call[housingv1.IndicatorsResponse](ctx, h.c, h.c.retried, "housing.indicators", housingv1.HousingService_Indicators_FullMethodName, &housingv1.IndicatorsRequest{})
}

// StartStep starts a person's step. The step carries the id the form was
// given, so housing answers a repeated start with the same step: safe to
// retry. The other writes are not repeated.
func (h *Housing) StartStep(ctx context.Context, req *housingv1.StartStepRequest) error {
	_, err := call[housingv1.StartStepResponse](ctx, h.c, h.c.retried, "housing.start_step", housingv1.HousingService_StartStep_FullMethodName, req)
	return err
}

// MoveStep ends the step req.From and starts the next one.
func (h *Housing) MoveStep(ctx context.Context, req *housingv1.MoveStepRequest) error {
	_, err := call[housingv1.MoveStepResponse](ctx, h.c, h.c.once, "housing.move_step", housingv1.HousingService_MoveStep_FullMethodName, req)
	return err
}

// EndStep ends the step req.Id.
func (h *Housing) EndStep(ctx context.Context, req *housingv1.EndStepRequest) error {
	_, err := call[housingv1.EndStepResponse](ctx, h.c, h.c.once, "housing.end_step", housingv1.HousingService_EndStep_FullMethodName, req)
	return err
}

// Propose proposes offer id to person.
func (h *Housing) Propose(ctx context.Context, offer, person string) error {
	_, err := call[housingv1.ProposeOfferResponse](ctx, h.c, h.c.once, "housing.propose_offer", housingv1.HousingService_ProposeOffer_FullMethodName, &housingv1.ProposeOfferRequest{OfferId: offer, Person: person})
	return err
}

// Decide records proposal id's outcome.
func (h *Housing) Decide(ctx context.Context, id, outcome, reason string) error {
	_, err := call[housingv1.DecideProposalResponse](ctx, h.c, h.c.once, "housing.decide_proposal", housingv1.HousingService_DecideProposal_FullMethodName, &housingv1.DecideProposalRequest{Id: id, Outcome: outcome, Reason: reason})
	return err
}

// SignLease records the lease signed on the proposal req.Id.
func (h *Housing) SignLease(ctx context.Context, req *housingv1.SignLeaseRequest) error {
	_, err := call[housingv1.SignLeaseResponse](ctx, h.c, h.c.once, "housing.sign_lease", housingv1.HousingService_SignLease_FullMethodName, req)
	return err
}

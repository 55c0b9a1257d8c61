package housing

import (
	"context"
	_ "embed"
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"

	"github.com/percorsi/percorsi/pkg/httpkit"
)

//go:embed openapi.yaml
var openAPI []byte

// NewHTTPHandler serves the endpoints as JSON over HTTP, and the steps
// export as CSV.
func NewHTTPHandler(e Endpoints) http.Handler {
	return httpkit.Handler(openAPI, []httpkit.Route{
		{Pattern: "POST /v1/accommodations", Endpoint: e.CreateAccommodation, Decode: httpkit.Body[AccommodationRequest](nil)},
		{Pattern: "GET /v1/accommodations", Endpoint: e.ListAccommodations, Decode: httpkit.None},
		{Pattern: "GET /v1/accommodations/{id}", Endpoint: e.GetAccommodation, Decode: pathID},
		{Pattern: "GET /v1/availability", Endpoint: e.Board, Decode: filter},
		{Pattern: "GET /v1/indicators", Endpoint: e.Indicators, Decode: httpkit.None},
		{Pattern: "POST /v1/steps", Endpoint: e.StartStep, Decode: httpkit.Body[StepRequest](nil)},
		{Pattern: "POST /v1/steps/{id}/move", Endpoint: e.MoveStep, Decode: httpkit.Body(func(r *http.Request, m *MoveRequest) { m.From = r.PathValue("id") })},
		{Pattern: "POST /v1/steps/{id}/end", Endpoint: e.EndStep, Decode: httpkit.Body(func(r *http.Request, m *EndStepRequest) { m.ID = r.PathValue("id") })},
		{Pattern: "GET /v1/persons/{id}/housing", Endpoint: e.Person, Decode: pathID},
		{Pattern: "PUT /v1/persons/{id}/profile", Endpoint: e.PutProfile, Decode: httpkit.Body(func(r *http.Request, m *ProfileRequest) { m.Person = r.PathValue("id") })},
		{Pattern: "GET /v1/persons/{id}/offer-matches", Endpoint: e.Matches, Decode: httpkit.Path(func(r *http.Request) MatchesRequest {
			return MatchesRequest{Person: r.PathValue("id"), Lang: httpkit.Language(r)}
		})},
		{Pattern: "POST /v1/rent-supports", Endpoint: e.GrantRentSupport, Decode: httpkit.Body[RentSupportRequest](nil)},
		{Pattern: "POST /v1/rent-supports/{id}/payments", Endpoint: e.PayRentSupport, Decode: httpkit.Body(func(r *http.Request, m *PaymentRequest) { m.ID = r.PathValue("id") })},
		{Pattern: "POST /v1/rent-supports/{id}/end", Endpoint: e.EndRentSupport, Decode: httpkit.Body(func(r *http.Request, m *EndRentSupportRequest) { m.ID = r.PathValue("id") })},
		{Pattern: "POST /v1/offers", Endpoint: e.CreateOffer, Decode: httpkit.Body[OfferRequest](nil)},
		{Pattern: "GET /v1/offers", Endpoint: e.ListOffers, Decode: filter},
		{Pattern: "POST /v1/offers/{id}/proposals", Endpoint: e.Propose, Decode: httpkit.Body(func(r *http.Request, m *ProposeRequest) { m.OfferID = r.PathValue("id") })},
		{Pattern: "POST /v1/proposals/{id}/outcome", Endpoint: e.Decide, Decode: httpkit.Body(func(r *http.Request, m *DecideRequest) { m.ID = r.PathValue("id") })},
		{Pattern: "POST /v1/proposals/{id}/lease", Endpoint: e.SignLease, Decode: httpkit.Body(func(r *http.Request, m *LeaseRequest) { m.ID = r.PathValue("id") })},
		{Pattern: "GET /v1/exports/steps.csv", Endpoint: e.ExportSteps, Decode: httpkit.None, Encode: encodeCSV},
	})
}

var pathID = httpkit.Path(func(r *http.Request) IDRequest { return IDRequest{ID: r.PathValue("id")} })

// filter reads the kind and territory that narrow a list.
var filter = httpkit.Path(func(r *http.Request) FilterRequest {
	return FilterRequest{Kind: r.URL.Query().Get("kind"), Territory: r.URL.Query().Get("territory")}
})

// encodeCSV writes an organisation's steps for a spreadsheet: Italian
// headers, semicolons as Italian spreadsheets expect, the accommodation's
// name and province but never its address.
func encodeCSV(_ context.Context, w http.ResponseWriter, response any) error {
	rows := response.(ExportResponse).Steps
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="percorsi-abitativi.csv"`)
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	_ = cw.Write([]string{"passo", "persona", "tipologia", "struttura", "provincia", "inizio", "fine", "motivo", "destinazione", "passo_precedente"})
	for _, r := range rows {
		_ = cw.Write([]string{
			r.ID, r.Person, r.Kind, cell(r.AccommodationName), r.Territory, r.Start, r.End, r.Reason, r.Destination, r.Previous,
		})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write steps export: %w", err)
	}
	return nil
}

// cell keeps a typed name from being read as a formula by a spreadsheet.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

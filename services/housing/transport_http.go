package housing

import (
	"context"
	_ "embed"
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"

	"github.com/go-kit/kit/endpoint"
	kithttp "github.com/go-kit/kit/transport/http"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/httpkit"
)

//go:embed openapi.yaml
var openAPI []byte

// NewHTTPHandler serves the endpoints as JSON over HTTP, and the steps
// export as CSV.
func NewHTTPHandler(e Endpoints) http.Handler {
	opts := []kithttp.ServerOption{
		kithttp.ServerBefore(auth.HTTPToContext),
		kithttp.ServerErrorEncoder(httpkit.ErrorEncoder),
	}
	mux := http.NewServeMux()
	serve := func(pattern string, e endpoint.Endpoint, dec kithttp.DecodeRequestFunc) {
		mux.Handle(pattern, kithttp.NewServer(e, dec, httpkit.EncodeJSON, opts...))
	}
	serve("POST /v1/accommodations", e.CreateAccommodation, body[AccommodationRequest](nil))
	serve("GET /v1/accommodations", e.ListAccommodations, none)
	serve("GET /v1/accommodations/{id}", e.GetAccommodation, pathID)
	serve("GET /v1/availability", e.Board, query)
	serve("GET /v1/indicators", e.Indicators, none)
	serve("POST /v1/steps", e.StartStep, body[StepRequest](nil))
	serve("POST /v1/steps/{id}/move", e.MoveStep, body(func(r *MoveRequest, id string) { r.From = id }))
	serve("POST /v1/steps/{id}/end", e.EndStep, body(func(r *EndStepRequest, id string) { r.ID = id }))
	serve("GET /v1/persons/{id}/housing", e.Person, pathID)
	serve("PUT /v1/persons/{id}/profile", e.PutProfile, body(func(r *ProfileRequest, id string) { r.Person = id }))
	serve("GET /v1/persons/{id}/offer-matches", e.Matches, matches)
	serve("POST /v1/rent-supports", e.GrantRentSupport, body[RentSupportRequest](nil))
	serve("POST /v1/rent-supports/{id}/payments", e.PayRentSupport, body(func(r *PaymentRequest, id string) { r.ID = id }))
	serve("POST /v1/rent-supports/{id}/end", e.EndRentSupport, body(func(r *EndRentSupportRequest, id string) { r.ID = id }))
	serve("POST /v1/offers", e.CreateOffer, body[OfferRequest](nil))
	serve("GET /v1/offers", e.ListOffers, query)
	serve("POST /v1/offers/{id}/proposals", e.Propose, body(func(r *ProposeRequest, id string) { r.OfferID = id }))
	serve("POST /v1/proposals/{id}/outcome", e.Decide, body(func(r *DecideRequest, id string) { r.ID = id }))
	serve("POST /v1/proposals/{id}/lease", e.SignLease, body(func(r *LeaseRequest, id string) { r.ID = id }))
	mux.Handle("GET /v1/exports/steps.csv", kithttp.NewServer(e.ExportSteps, none, encodeCSV, opts...))
	mux.HandleFunc("GET /openapi.yaml", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		_, _ = w.Write(openAPI)
	})
	return mux
}

// body decodes a JSON body into T, naming the field at fault, and sets the
// id from the path when set is given.
func body[T any](set func(*T, string)) kithttp.DecodeRequestFunc {
	return func(_ context.Context, r *http.Request) (any, error) {
		var v T
		if err := httpkit.Decode(r, &v); err != nil {
			return nil, err
		}
		if set != nil {
			set(&v, r.PathValue("id"))
		}
		return v, nil
	}
}

func none(context.Context, *http.Request) (any, error) { return nil, nil }

func pathID(_ context.Context, r *http.Request) (any, error) {
	return IDRequest{ID: r.PathValue("id")}, nil
}

// matches reads whose offers are asked and the language of the reasons.
func matches(_ context.Context, r *http.Request) (any, error) {
	return MatchesRequest{Person: r.PathValue("id"), Lang: httpkit.Language(r)}, nil
}

func query(_ context.Context, r *http.Request) (any, error) {
	q := r.URL.Query()
	return FilterRequest{Kind: q.Get("kind"), Territory: q.Get("territory")}, nil
}

// encodeCSV writes an organisation's steps for a spreadsheet: Italian
// headers, semicolons as Italian spreadsheets expect, the accommodation's
// name and province but never its address.
func encodeCSV(_ context.Context, w http.ResponseWriter, response any) error {
	rows := response.(ExportResponse).Rows
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="percorsi-abitativi.csv"`)
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	_ = cw.Write([]string{"passo", "persona", "tipologia", "struttura", "provincia", "inizio", "fine", "motivo", "destinazione", "passo_precedente"})
	for _, r := range rows {
		_ = cw.Write([]string{
			r.ID, r.Person, string(r.Kind), cell(r.AccommodationName), r.Territory,
			date(r.Start), date(r.End), string(r.Reason), string(r.Destination), r.Previous,
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

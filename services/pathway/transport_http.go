package pathway

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/percorsi/percorsi/pkg/httpkit"
)

//go:embed openapi.yaml
var openAPI []byte

// NewHTTPHandler serves the endpoints as JSON over HTTP.
func NewHTTPHandler(e Endpoints) http.Handler {
	const person = "/v1/persons/{pseudonym}"
	pseudonym := func(r *http.Request) string { return r.PathValue("pseudonym") }
	routes := []httpkit.Route{
		{Pattern: "GET /v1/persons", Endpoint: e.Caseload, Decode: httpkit.None},
		{Pattern: "POST /v1/persons", Endpoint: e.Intake, Decode: httpkit.Body[IntakeJSON](nil)},
		{Pattern: "GET " + person, Endpoint: e.Person, Decode: byPseudonym},
		{Pattern: "GET " + person + "/timeline", Endpoint: e.Timeline, Decode: localized},
		{Pattern: "POST " + person + "/personal/read", Endpoint: e.Personal, Decode: httpkit.Body(func(r *http.Request, b *PersonalRequest) { b.Pseudonym = pseudonym(r) })},
		{Pattern: "DELETE " + person + "/personal", Endpoint: e.Erase, Decode: httpkit.Body(func(r *http.Request, b *ReasonRequest) { b.Pseudonym = pseudonym(r) })},
		{Pattern: "GET " + person + "/audit", Endpoint: e.Audit, Decode: byPseudonym},
		{Pattern: "POST " + person + "/consents", Endpoint: e.Consent, Decode: httpkit.Body(func(r *http.Request, b *ConsentRequest) { b.Pseudonym = pseudonym(r) })},
		{Pattern: "POST " + person + "/permits", Endpoint: e.Permit, Decode: httpkit.Body(func(r *http.Request, b *PermitRequest) { b.Pseudonym = pseudonym(r) })},
		{Pattern: "GET " + person + "/legal", Endpoint: e.Legal, Decode: localized},
		{Pattern: "PUT " + person + "/plan", Endpoint: e.Plan, Decode: decodePlan},
		{Pattern: "GET " + person + "/autonomy", Endpoint: e.Autonomy, Decode: localized},
		{Pattern: "GET " + person + "/alerts", Endpoint: e.Alerts, Decode: byPseudonym},
		{Pattern: "POST " + person + "/alerts/{alert}/{action}", Endpoint: e.AlertAction, Decode: httpkit.Body(func(r *http.Request, b *AlertActionRequest) {
			b.Pseudonym, b.AlertID, b.Action = pseudonym(r), r.PathValue("alert"), r.PathValue("action")
		})},
		{Pattern: "POST " + person + "/transfers", Endpoint: e.TransferRequest, Decode: httpkit.Body(func(r *http.Request, b *TransferRequest) { b.Pseudonym = pseudonym(r) })},
		{Pattern: "POST " + person + "/transfers/{transfer}/{decision}", Endpoint: e.TransferDecision, Decode: decodeDecision},
		{Pattern: "GET /v1/transfers/incoming", Endpoint: e.IncomingTransfers, Decode: httpkit.None},
		{Pattern: "POST " + person + "/close", Endpoint: e.Close, Decode: httpkit.Body(func(r *http.Request, b *CloseRequest) { b.Pseudonym = pseudonym(r) })},
		{Pattern: "GET /v1/monitoring/indicators", Endpoint: e.Monitoring, Decode: decodeMonitoring},
	}
	for i := range routes {
		routes[i].Encode = encode
	}
	return httpkit.Handler(openAPI, routes)
}

func encode(ctx context.Context, w http.ResponseWriter, response any) error {
	if c, ok := response.(CSVResponse); ok {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		_, err := w.Write([]byte(c.Body))
		return err
	}
	if _, ok := response.(noContent); ok {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	// Nothing about a person may be cached on a shared device or proxy.
	w.Header().Set("Cache-Control", "no-store")
	return httpkit.EncodeJSON(ctx, w, response)
}

var byPseudonym = httpkit.Path(func(r *http.Request) PseudonymRequest { return PseudonymRequest{r.PathValue("pseudonym")} })

// localized reads a person's view whose reasons are put in words.
var localized = httpkit.Path(func(r *http.Request) LocalizedRequest {
	return LocalizedRequest{Pseudonym: r.PathValue("pseudonym"), Lang: httpkit.Language(r)}
})

// decodePlan reads the goals one by one, so that a refusal names the goal.
func decodePlan(_ context.Context, r *http.Request) (any, error) {
	var b struct {
		Goals []json.RawMessage `json:"goals"`
	}
	if err := httpkit.Decode(r, &b); err != nil {
		return nil, err
	}
	req := PlanRequest{Pseudonym: r.PathValue("pseudonym"), Goals: make([]GoalJSON, len(b.Goals))}
	for i, raw := range b.Goals {
		if err := httpkit.DecodeElement(raw, &req.Goals[i], fmt.Sprintf("goals[%d]", i)); err != nil {
			return nil, err
		}
	}
	return req, nil
}

func decodeDecision(_ context.Context, r *http.Request) (any, error) {
	var accept bool
	switch r.PathValue("decision") {
	case "accept":
		accept = true
	case "refuse":
	default:
		return nil, invalid("decision", "must be accept or refuse")
	}
	var b TransferDecisionJSON
	if r.ContentLength != 0 {
		if err := httpkit.Decode(r, &b); err != nil {
			return nil, err
		}
	}
	return TransferDecision{Pseudonym: r.PathValue("pseudonym"), TransferID: r.PathValue("transfer"), Accept: accept, TransferDecisionJSON: b}, nil
}

// decodeMonitoring reads ?by=organisation|territory&from=&to=&format=csv.
var decodeMonitoring = httpkit.Path(func(r *http.Request) MonitoringRequest {
	q := r.URL.Query()
	req := MonitoringRequest{By: q.Get("by"), From: q.Get("from"), To: q.Get("to"), CSV: q.Get("format") == "csv"}
	if req.By == "" {
		req.By = "organisation"
	}
	return req
})

package pathway

import (
	"context"
	_ "embed"
	"fmt"
	"net/http"

	"github.com/go-kit/kit/endpoint"
	kithttp "github.com/go-kit/kit/transport/http"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/httpkit"
	"github.com/percorsi/percorsi/services/pathway/domain"
)

//go:embed openapi.yaml
var openAPI []byte

// NewHTTPHandler serves the endpoints as JSON over HTTP.
func NewHTTPHandler(e Endpoints) http.Handler {
	opts := []kithttp.ServerOption{
		kithttp.ServerBefore(auth.HTTPToContext),
		kithttp.ServerErrorEncoder(httpkit.ErrorEncoder),
	}
	mux := http.NewServeMux()
	route := func(pattern string, ep endpoint.Endpoint, dec kithttp.DecodeRequestFunc) {
		mux.Handle(pattern, kithttp.NewServer(ep, dec, encode, opts...))
	}
	const person = "/v1/persons/{pseudonym}"
	route("GET /v1/persons", e.Caseload, noRequest)
	route("POST /v1/persons", e.Intake, body[IntakeJSON](func(_ *http.Request, b IntakeJSON) any { return b }))
	route("GET "+person, e.Person, byPseudonym)
	route("GET "+person+"/timeline", e.Timeline, decodeTimeline)
	route("POST "+person+"/personal/read", e.Personal, body[PersonalReadJSON](func(r *http.Request, b PersonalReadJSON) any {
		return PersonalRequest{Pseudonym: r.PathValue("pseudonym"), Fields: b.Fields, Reason: b.Reason}
	}))
	route("DELETE "+person+"/personal", e.Erase, body[ReasonJSON](func(r *http.Request, b ReasonJSON) any { return reasonRequest{r.PathValue("pseudonym"), b} }))
	route("GET "+person+"/audit", e.Audit, byPseudonym)
	route("POST "+person+"/consents", e.Consent, body[ConsentRequestJSON](func(r *http.Request, b ConsentRequestJSON) any { return consentRequest{r.PathValue("pseudonym"), b} }))
	route("POST "+person+"/permits", e.Permit, body[PermitJSON](func(r *http.Request, b PermitJSON) any { return permitRequest{r.PathValue("pseudonym"), b} }))
	route("GET "+person+"/legal", e.Legal, localized)
	route("PUT "+person+"/plan", e.Plan, decodePlan)
	route("GET "+person+"/autonomy", e.Autonomy, localized)
	route("GET "+person+"/alerts", e.Alerts, byPseudonym)
	route("POST "+person+"/alerts/{alert}/{action}", e.AlertAction, body[AlertActionJSON](func(r *http.Request, b AlertActionJSON) any {
		return alertActionRequest{r.PathValue("pseudonym"), r.PathValue("alert"), r.PathValue("action"), b}
	}))
	route("POST "+person+"/transfers", e.TransferRequest, body[TransferRequestJSON](func(r *http.Request, b TransferRequestJSON) any { return transferRequest{r.PathValue("pseudonym"), b} }))
	route("POST "+person+"/transfers/{transfer}/{decision}", e.TransferDecision, decodeDecision)
	route("GET /v1/transfers/incoming", e.IncomingTransfers, noRequest)
	route("POST "+person+"/close", e.Close, body[CloseJSON](func(r *http.Request, b CloseJSON) any { return closeRequest{r.PathValue("pseudonym"), b} }))
	route("GET /v1/monitoring/indicators", e.Monitoring, decodeMonitoring)
	mux.HandleFunc("GET /openapi.yaml", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		_, _ = w.Write(openAPI)
	})
	return mux
}

// body decodes a JSON body strictly (naming the field at fault) and builds
// the request from it.
func body[T any](build func(r *http.Request, b T) any) kithttp.DecodeRequestFunc {
	return func(_ context.Context, r *http.Request) (any, error) {
		var b T
		if err := httpkit.Decode(r, &b); err != nil {
			return nil, err
		}
		return build(r, b), nil
	}
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

func noRequest(context.Context, *http.Request) (any, error) { return nil, nil }

func byPseudonym(_ context.Context, r *http.Request) (any, error) {
	return PseudonymRequest{r.PathValue("pseudonym")}, nil
}

func decodeTimeline(_ context.Context, r *http.Request) (any, error) {
	return TimelineRequest{Pseudonym: r.PathValue("pseudonym"), Lang: httpkit.Language(r)}, nil
}

// localized reads a person's view whose reasons are put in words.
func localized(_ context.Context, r *http.Request) (any, error) {
	return LocalizedRequest{Pseudonym: r.PathValue("pseudonym"), Lang: httpkit.Language(r)}, nil
}

func decodePlan(_ context.Context, r *http.Request) (any, error) {
	var b PlanRequestJSON
	if err := httpkit.Decode(r, &b); err != nil {
		return nil, err
	}
	req := planRequest{Pseudonym: r.PathValue("pseudonym")}
	for i, raw := range b.Goals {
		var g GoalJSON
		place := fmt.Sprintf("goals[%d]", i)
		if err := httpkit.DecodeElement(raw, &g, place); err != nil {
			return nil, err
		}
		target, err := parseDate(place+".target", g.Target)
		if err != nil {
			return nil, err
		}
		req.Goals = append(req.Goals, domain.Goal{ID: g.ID, Domain: domain.Area(g.Domain), Title: g.Title, Target: target, FollowBy: g.FollowBy, Status: g.Status})
	}
	return req, nil
}

func decodeDecision(ctx context.Context, r *http.Request) (any, error) {
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
	return transferDecision{Pseudonym: r.PathValue("pseudonym"), TransferID: r.PathValue("transfer"), Accept: accept, TransferDecisionJSON: b}, nil
}

// decodeMonitoring reads ?by=organisation|territory&from=&to=&format=csv.
func decodeMonitoring(_ context.Context, r *http.Request) (any, error) {
	q := r.URL.Query()
	req := MonitoringRequest{By: q.Get("by"), CSV: q.Get("format") == "csv"}
	if req.By == "" {
		req.By = "organisation"
	}
	var err error
	if req.From, err = parseDate("from", q.Get("from")); err != nil {
		return nil, err
	}
	if req.To, err = parseDate("to", q.Get("to")); err != nil {
		return nil, err
	}
	if req.From.IsZero() || req.To.IsZero() {
		return nil, invalid("from", "from and to are required (YYYY-MM-DD)")
	}
	return req, nil
}

package httpkit

import (
	"context"
	"net/http"

	"github.com/go-kit/kit/endpoint"
	kithttp "github.com/go-kit/kit/transport/http"

	"github.com/percorsi/percorsi/pkg/auth"
)

// Route is one operation of a service's HTTP API.
type Route struct {
	// Pattern is the method and path as openapi.yaml documents them:
	// "PUT /v1/courses/{id}".
	Pattern  string
	Endpoint endpoint.Endpoint
	Decode   kithttp.DecodeRequestFunc
	// Encode writes the response; EncodeJSON when nil.
	Encode kithttp.EncodeResponseFunc
}

// OpenAPIPattern is where every service serves its OpenAPI document.
const OpenAPIPattern = "GET /openapi.yaml"

// Handler serves routes the one way every service does (the caller's token
// into the context, errors as ErrorBody) and the service's OpenAPI
// document at OpenAPIPattern.
func Handler(openAPI []byte, routes []Route) *http.ServeMux {
	opts := []kithttp.ServerOption{
		kithttp.ServerBefore(auth.HTTPToContext),
		kithttp.ServerErrorEncoder(ErrorEncoder),
	}
	mux := http.NewServeMux()
	for _, r := range routes {
		enc := r.Encode
		if enc == nil {
			enc = EncodeJSON
		}
		mux.Handle(r.Pattern, kithttp.NewServer(r.Endpoint, r.Decode, enc, opts...))
	}
	mux.HandleFunc(OpenAPIPattern, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		_, _ = w.Write(openAPI)
	})
	return mux
}

// Body decodes a JSON body into a Req (see Decode) and lets fill, when
// given, add the values of the path and query.
func Body[Req any](fill func(*http.Request, *Req)) kithttp.DecodeRequestFunc {
	return func(_ context.Context, r *http.Request) (any, error) {
		var req Req
		if err := Decode(r, &req); err != nil {
			return nil, err
		}
		if fill != nil {
			fill(r, &req)
		}
		return req, nil
	}
}

// Path builds a request from the URL alone.
func Path[Req any](build func(*http.Request) Req) kithttp.DecodeRequestFunc {
	return func(_ context.Context, r *http.Request) (any, error) { return build(r), nil }
}

// None is the decoder of a route that takes nothing but the caller.
func None(context.Context, *http.Request) (any, error) { return nil, nil }

package pathway

import (
	"context"
	_ "embed"
	"net/http"
	"strings"

	kithttp "github.com/go-kit/kit/transport/http"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/httpkit"
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
	mux.Handle("GET /v1/persons/{pseudonym}/timeline", kithttp.NewServer(e.Timeline, decodeTimeline, httpkit.EncodeJSON, opts...))
	mux.HandleFunc("GET /openapi.yaml", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		_, _ = w.Write(openAPI)
	})
	return mux
}

func decodeTimeline(_ context.Context, r *http.Request) (any, error) {
	return TimelineRequest{Pseudonym: r.PathValue("pseudonym"), Lang: language(r)}, nil
}

// language picks it or en from ?lang= or Accept-Language; Italian first.
func language(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == "en" || l == "it" {
		return l
	}
	if strings.HasPrefix(r.Header.Get("Accept-Language"), "en") {
		return "en"
	}
	return "it"
}

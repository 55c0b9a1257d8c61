package courses

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"

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
	mux.Handle("GET /v1/lessons/{id}", kithttp.NewServer(e.GetLesson, decodeGetLesson, httpkit.EncodeJSON, opts...))
	mux.Handle("PUT /v1/lessons/{id}/register", kithttp.NewServer(e.RecordRegister, DecodeRecordRegister, httpkit.EncodeJSON, opts...))
	mux.HandleFunc("GET /openapi.yaml", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		_, _ = w.Write(openAPI)
	})
	return mux
}

func decodeGetLesson(_ context.Context, r *http.Request) (any, error) {
	return GetLessonRequest{LessonID: r.PathValue("id")}, nil
}

// DecodeRecordRegister reads a register submission.
func DecodeRecordRegister(_ context.Context, r *http.Request) (any, error) {
	var body struct {
		Marks []json.RawMessage `json:"marks"`
	}
	if err := httpkit.Decode(r, &body); err != nil {
		return nil, err
	}
	req := RecordRegisterRequest{LessonID: r.PathValue("id"), Marks: make([]MarkJSON, len(body.Marks))}
	for i, raw := range body.Marks {
		var m struct {
			Person  string `json:"person"`
			Status  string `json:"status"`
			Minutes int    `json:"minutes"`
		}
		if err := httpkit.DecodeElement(raw, &m, fmt.Sprintf("marks[%d]", i)); err != nil {
			return nil, err
		}
		req.Marks[i] = MarkJSON{Person: m.Person, Status: m.Status, Minutes: m.Minutes}
	}
	return req, nil
}

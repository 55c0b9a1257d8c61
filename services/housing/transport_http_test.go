package housing_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/percorsi/percorsi/pkg/httpkit"
	"github.com/percorsi/percorsi/services/housing"
)

// echoEndpoints answers every endpoint with the request it decoded, so the
// decoders alone are under test.
func echoEndpoints() housing.Endpoints {
	var e housing.Endpoints
	v := reflect.ValueOf(&e).Elem()
	echo := func(_ context.Context, req any) (any, error) { return map[string]any{"decoded": req}, nil }
	for i := range v.NumField() {
		v.Field(i).Set(reflect.ValueOf(echo).Convert(v.Field(i).Type()))
	}
	return e
}

var writes = []string{
	"POST /v1/accommodations", "POST /v1/steps", "POST /v1/steps/s1/move", "POST /v1/steps/s1/end",
	"PUT /v1/persons/ps-1/profile", "POST /v1/rent-supports", "POST /v1/rent-supports/r1/payments",
	"POST /v1/rent-supports/r1/end", "POST /v1/offers", "POST /v1/offers/o1/proposals",
	"POST /v1/proposals/p1/outcome", "POST /v1/proposals/p1/lease",
}

// FuzzDecoders sends any body to every writing route: the request is
// decoded, or refused with a 400 that names the field; never a panic or
// another status.
func FuzzDecoders(f *testing.F) {
	for i, seed := range []string{
		`{"person":"ps-1","kind":"protected_shelter","accommodation_id":"a","start":"2026-01-01"}`,
		`{"capacity":"two"}`, `{"months":1e9}`, `[]`, `{"end":null}`, `{"a":{"b":[1,2,{}]}}`, ``, `{"person":7}`,
	} {
		f.Add(uint8(i), seed)
	}
	h := housing.NewHTTPHandler(echoEndpoints())
	f.Fuzz(func(t *testing.T, route uint8, body string) {
		method, path, _ := strings.Cut(writes[int(route)%len(writes)], " ")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(body)))
		switch rec.Code {
		case http.StatusOK:
		case http.StatusBadRequest:
			var e httpkit.ErrorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Field == "" {
				t.Fatalf("%s %s %q: 400 naming no field: %s", method, path, body, rec.Body)
			}
		default:
			t.Fatalf("%s %s %q: status %d %s", method, path, body, rec.Code, rec.Body)
		}
	})
}

// The language of the matches' reasons: ?lang= first, then
// Accept-Language, Italian by default.
func TestMatchesLanguage(t *testing.T) {
	t.Parallel()
	h := housing.NewHTTPHandler(echoEndpoints())
	for _, tc := range []struct{ query, accept, want string }{
		{"", "", "it"},
		{"?lang=en", "", "en"},
		{"?lang=it", "en-GB,en;q=0.9", "it"},
		{"", "en-GB,en;q=0.9", "en"},
		{"?lang=de", "it-IT", "it"},
	} {
		req := httptest.NewRequest(http.MethodGet, "/v1/persons/ps-1/offer-matches"+tc.query, nil)
		req.Header.Set("Accept-Language", tc.accept)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var got struct {
			Decoded housing.MatchesRequest `json:"decoded"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || got.Decoded != (housing.MatchesRequest{Person: "ps-1", Lang: tc.want}) {
			t.Errorf("%q, Accept-Language %q: %d %s, want %s", tc.query, tc.accept, rec.Code, rec.Body, tc.want)
		}
	}
}

// Package httpkittest fuzzes a service's HTTP request decoders through the
// service's own route table, so that every route its OpenAPI document
// describes is fuzzed, a new one included, without a target per decoder.
package httpkittest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/percorsi/percorsi/pkg/endpointtest"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/httpkit"
)

// Route is one operation of an OpenAPI document.
type Route struct {
	Method, Path string
	Params       []string // the path's {parameters}, in order
}

var param = regexp.MustCompile(`\{([^}]+)\}`)

// Routes reads the operations of the OpenAPI document h serves at
// /openapi.yaml, sorted so that a fuzz input names the same route on every
// run.
func Routes(tb testing.TB, h http.Handler) []Route {
	tb.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/openapi.yaml", nil))
	if rec.Code != http.StatusOK {
		tb.Fatalf("GET /openapi.yaml: status %d", rec.Code)
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := yaml.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		tb.Fatalf("openapi.yaml: %v", err)
	}
	var routes []Route
	for path, item := range doc.Paths {
		if path == "/openapi.yaml" {
			continue // the document itself: no decoder
		}
		for method := range item {
			m := strings.ToUpper(method)
			if !slices.Contains([]string{"GET", "POST", "PUT", "PATCH", "DELETE"}, m) {
				continue // "parameters", "summary" and the like
			}
			r := Route{Method: m, Path: path}
			for _, p := range param.FindAllStringSubmatch(path, -1) {
				r.Params = append(r.Params, p[1])
			}
			routes = append(routes, r)
		}
	}
	if len(routes) == 0 {
		tb.Fatal("openapi.yaml describes no operation")
	}
	sort.Slice(routes, func(i, j int) bool {
		return routes[i].Path+" "+routes[i].Method < routes[j].Path+" "+routes[j].Method
	})
	return routes
}

// FuzzRoutes fuzzes the decoder of every route h's OpenAPI document
// describes with any path parameter, query and body. Properties:
//   - no panic, and no answer but the decoded marker or a 400;
//   - a refusal is errcode.Invalid naming the field at fault;
//   - an accepted request keeps every path parameter it was given: a body
//     cannot overwrite the id in the URL.
//
// Seeds are bodies, spread over the routes: every seed on every route
// would make the baseline run of a short CI fuzz pass outlast its time.
func FuzzRoutes[E any](f *testing.F, c *endpointtest.Capture[E], h http.Handler, seeds ...string) {
	routes := Routes(f, h)
	for i := range routes {
		f.Add(uint8(i), "id-1", "", "{}")
	}
	for i, s := range seeds {
		f.Add(uint8(i), "id-1", "", s)
	}
	f.Fuzz(func(t *testing.T, route uint8, id, query, body string) {
		rt := routes[int(route)%len(routes)]
		// A prefix keeps the mux from cleaning "." or ".." out of the path
		// (a redirect, not a decoder's answer).
		value := "p" + id
		path := param.ReplaceAllLiteralString(rt.Path, url.PathEscape(value))
		r := httptest.NewRequest(rt.Method, path, strings.NewReader(body))
		r.URL.RawQuery = query
		r.Header.Set("Content-Type", "application/json")
		if strings.HasSuffix(rt.Path, ".csv") {
			r.Header.Set("Content-Type", "text/csv") // a file upload, such as a roster
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)

		var e httpkit.ErrorBody
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
			t.Fatalf("%s %s: status %d, body not an error: %.200q", rt.Method, path, rec.Code, rec.Body)
		}
		switch {
		case rec.Code == http.StatusConflict && e.Error.Field == endpointtest.DecodedField:
			req := c.Take()
			if len(rt.Params) > 0 && !endpointtest.Holds(req, value) {
				t.Fatalf("%s %s with body %q: decoded %+v lost the path's %q", rt.Method, rt.Path, body, req, value)
			}
		case rec.Code == http.StatusBadRequest && e.Error.Code == errcode.Invalid && e.Error.Field != "":
		default:
			t.Fatalf("%s %s with body %q: status %d %+v, want the decoded request or a 400 naming a field", rt.Method, path, body, rec.Code, e.Error)
		}
	})
}

package training_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// Every operation the served OpenAPI document describes is routed: without
// a token it gets a JSON error from the service, never the router's 404 or
// 405.
func TestOpenAPIDescribesRoutedOperations(t *testing.T) {
	f := start(t)
	status, doc := f.call(t, "", "GET", "/openapi.yaml", "")
	if status != http.StatusOK {
		t.Fatalf("openapi.yaml: %d", status)
	}
	var spec struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := yaml.Unmarshal(doc, &spec); err != nil {
		t.Fatal(err)
	}
	param := regexp.MustCompile(`\{[^}]+\}`)
	ops := 0
	for path, item := range spec.Paths {
		for method := range item {
			if method == "parameters" {
				continue
			}
			ops++
			req, err := http.NewRequestWithContext(t.Context(), strings.ToUpper(method), f.srv.URL+param.ReplaceAllString(path, "x"), strings.NewReader("{}"))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("%s %s: %d %s, not routed to the service", method, path, resp.StatusCode, ct)
			}
		}
	}
	if ops < 18 {
		t.Fatalf("the document describes %d operations", ops)
	}
}

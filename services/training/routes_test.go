package training

import (
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// Every route the HTTP handler serves is documented in openapi.yaml, with
// its method; openapi_test.go checks the other way round.
func TestEveryRouteIsDocumented(t *testing.T) {
	t.Parallel()
	var spec struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := yaml.Unmarshal(openAPI, &spec); err != nil {
		t.Fatal(err)
	}
	for _, rt := range routes(Endpoints{}) {
		method, path, _ := strings.Cut(rt.Pattern, " ")
		if _, ok := spec.Paths[path][strings.ToLower(method)]; !ok {
			t.Errorf("%s is served but not documented", rt.Pattern)
		}
	}
}

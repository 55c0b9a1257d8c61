package courses

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/percorsi/percorsi/pkg/httpkit"
)

// TestOpenAPIDocumentsEveryRoute holds openapi.yaml to the routes the HTTP
// transport registers: every route is documented with its method and path
// parameters, and every documented operation is a route.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	type parameter struct {
		Ref  string `json:"$ref"`
		Name string `json:"name"`
		In   string `json:"in"`
	}
	type operation struct{ Parameters []parameter }
	var doc struct {
		Paths map[string]struct {
			Get, Put, Post, Patch, Delete *operation
			Parameters                    []parameter // of every operation of the path
		}
		Components struct{ Parameters map[string]parameter }
	}
	if err := yaml.Unmarshal(openAPI, &doc); err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	documented := map[string][]parameter{}
	for path, item := range doc.Paths {
		for method, op := range map[string]*operation{"GET": item.Get, "PUT": item.Put, "POST": item.Post, "PATCH": item.Patch, "DELETE": item.Delete} {
			if op != nil {
				documented[method+" "+path] = append(slices.Clip(item.Parameters), op.Parameters...)
			}
		}
	}
	registered := []string{httpkit.OpenAPIPattern}
	for _, r := range routes(Endpoints{}) {
		registered = append(registered, r.Pattern)
	}
	pathParam := regexp.MustCompile(`\{([^}]+)\}`)
	for _, pattern := range registered {
		params, ok := documented[pattern]
		if !ok {
			t.Errorf("%s is routed but not documented in openapi.yaml", pattern)
			continue
		}
		delete(documented, pattern)
		declared := map[string]bool{}
		for _, p := range params {
			if name, ok := strings.CutPrefix(p.Ref, "#/components/parameters/"); ok {
				p = doc.Components.Parameters[name]
			}
			if p.In == "path" {
				declared[p.Name] = true
			}
		}
		for _, m := range pathParam.FindAllStringSubmatch(pattern, -1) {
			if !declared[m[1]] {
				t.Errorf("%s: openapi.yaml does not declare the path parameter %s", pattern, m[1])
			}
		}
	}
	for _, op := range slices.Sorted(maps.Keys(documented)) {
		t.Errorf("%s is documented in openapi.yaml but not routed", op)
	}
}

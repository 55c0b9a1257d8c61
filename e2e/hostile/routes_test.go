package hostile

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// routePattern is a net/http pattern with a method: what the services'
// route tables register.
var routePattern = regexp.MustCompile(`^(GET|POST|PUT|PATCH|DELETE) /`)

// routesIn reads the route patterns registered in a Go source file: every
// string constant expression that is a pattern with a method, string
// literals joined with the file's own string constants included (pathway
// writes "GET "+person). Read from the source, not from a document, so a
// route added to a table is under test the moment it exists.
func routesIn(t *testing.T, file string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	consts := map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		if spec, ok := n.(*ast.ValueSpec); ok {
			for i, name := range spec.Names {
				if i < len(spec.Values) {
					if s, ok := stringOf(spec.Values[i], consts); ok {
						consts[name.Name] = s
					}
				}
			}
		}
		return true
	})
	// Routes registered by a call, mux.Handle("GET /persons", ...) in web,
	// or in a route table, []httpkit.Route{{Pattern: "PUT /v1/...", ...}}.
	seen := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		var pattern ast.Expr
		switch n := n.(type) {
		case *ast.CallExpr:
			if len(n.Args) > 0 {
				pattern = n.Args[0]
			}
		case *ast.KeyValueExpr:
			if key, ok := n.Key.(*ast.Ident); ok && key.Name == "Pattern" {
				pattern = n.Value
			}
		}
		if s, ok := stringOf(pattern, consts); ok && routePattern.MatchString(s) {
			seen[s] = true
		}
		return true
	})
	var routes []string
	for r := range seen {
		if r == "GET /openapi.yaml" {
			continue // the document itself
		}
		routes = append(routes, r)
	}
	sort.Strings(routes)
	if len(routes) == 0 {
		t.Fatalf("%s registers no route", file)
	}
	return routes
}

func stringOf(e ast.Expr, consts map[string]string) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.Ident:
		s, ok := consts[e.Name]
		return s, ok
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		l, ok1 := stringOf(e.X, consts)
		r, ok2 := stringOf(e.Y, consts)
		return l + r, ok1 && ok2
	case *ast.ParenExpr:
		return stringOf(e.X, consts)
	}
	return "", false
}

// operation is what an OpenAPI document says of one route.
type operation struct {
	Body  map[string]any // the request body's JSON schema, $refs resolved; nil when undocumented
	Query []string       // query parameters
}

// operations reads a service's OpenAPI document, keyed by route pattern
// as the route tables write it ("GET /v1/x/{id}").
func operations(t *testing.T, file string) map[string]operation {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	resolve := func(v any) any { return resolveRefs(doc, v, 0) }
	ops := map[string]operation{}
	paths, _ := doc["paths"].(map[string]any)
	for path, item := range paths {
		item, _ := resolve(item).(map[string]any)
		for method, raw := range item {
			op, ok := raw.(map[string]any)
			if !ok || !routePattern.MatchString(strings.ToUpper(method)+" /") {
				continue
			}
			var o operation
			params, _ := op["parameters"].([]any)
			for _, p := range params {
				if p, ok := p.(map[string]any); ok && p["in"] == "query" {
					o.Query = append(o.Query, fmt.Sprint(p["name"]))
				}
			}
			if body, ok := op["requestBody"].(map[string]any); ok {
				if content, ok := body["content"].(map[string]any); ok {
					if js, ok := content["application/json"].(map[string]any); ok {
						o.Body, _ = js["schema"].(map[string]any)
					}
				}
			}
			ops[strings.ToUpper(method)+" "+path] = o
		}
	}
	return ops
}

// resolveRefs replaces every {$ref: "#/a/b"} in v with what it names.
func resolveRefs(doc map[string]any, v any, depth int) any {
	if depth > 20 {
		return v // a recursive schema: deep enough for a request body
	}
	switch v := v.(type) {
	case map[string]any:
		if ref, ok := v["$ref"].(string); ok {
			var target any = doc
			for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
				m, _ := target.(map[string]any)
				target = m[part]
			}
			return resolveRefs(doc, target, depth+1)
		}
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = resolveRefs(doc, x, depth+1)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = resolveRefs(doc, x, depth+1)
		}
		return out
	}
	return v
}

// example builds a value that satisfies schema as far as a schema says:
// an enum's first value, a date for a date, the minimum of a number.
func example(schema map[string]any) any {
	if enum, ok := schema["enum"].([]any); ok && len(enum) > 0 {
		return enum[0]
	}
	if all, ok := schema["allOf"].([]any); ok {
		merged := map[string]any{}
		for _, s := range all {
			if m, ok := example(asMap(s)).(map[string]any); ok {
				for k, v := range m {
					merged[k] = v
				}
			}
		}
		return merged
	}
	if one, ok := schema["oneOf"].([]any); ok && len(one) > 0 {
		return example(asMap(one[0]))
	}
	switch schema["type"] {
	case "integer", "number":
		if m, ok := schema["minimum"].(float64); ok {
			return m
		}
		return 1
	case "boolean":
		return true
	case "array":
		return []any{example(asMap(schema["items"]))}
	case "object":
		out := map[string]any{}
		props, _ := schema["properties"].(map[string]any)
		for name, p := range props {
			out[name] = example(asMap(p))
		}
		return out
	}
	switch schema["format"] {
	case "date":
		return "2026-12-01"
	case "date-time":
		return "2026-12-01T09:00:00+01:00"
	}
	if ex, ok := schema["example"]; ok {
		return ex
	}
	return "x"
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// repoFile is a path from the repository's root.
func repoFile(rel string) string { return filepath.Join("..", "..", rel) }

// mustJSON encodes v, which is built of JSON values.
func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

package hostile

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/httpkit"
)

// hostileStrings go into every string a request carries: path, query and
// body at once, so that whichever a service reads first, it reads one.
var hostileStrings = []struct{ name, value string }{
	{"NUL", "ps\x00admin"},
	{"RTL override", "ps-\u202egnp.exe"},
	{"zero width", "ps-4q7k2m\u200b\u200d"},
	{"invalid UTF-8", "ps-\xff\xfe"},
	{"overlong UTF-8", "ps-\xc0\xaf..\xc0\xaf"},
	{"Mongo $where", "$where: function() { sleep(1000); return true }"},
	{"dotted key", "a.b.$set"},
	{"script tag", "<script>alert(document.cookie)</script>"},
	{"CSV formula", "=cmd|' /C calc'!A0"},
	{"path traversal", "../../../etc/passwd"},
	{"10k characters", strings.Repeat("ä", 5000)},
}

// operators are Mongo query operators sent where a string belongs.
var operators = []struct {
	name  string
	value any
}{
	{"Mongo $gt", map[string]any{"$gt": ""}},
	{"Mongo $ne", map[string]any{"$ne": nil}},
	{"Mongo $where", map[string]any{"$where": "sleep(1000)"}},
}

// request is one hostile request; token is empty for no Authorization.
type request struct {
	kind   string // what it tries: see sampled
	name   string
	method string
	path   string
	query  url.Values
	body   string
	token  string
	// contentType is the body's, when not application/json.
	contentType string
}

// placeholder stands for a hostile string until the body is encoded:
// encoding/json would replace invalid UTF-8, which must reach the service
// raw, as a client in another language could send it.
const placeholder = "\x01hostile\x01"

// rawJSONString quotes s for JSON, leaving invalid UTF-8 as it is.
func rawJSONString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20:
			fmt.Fprintf(&b, `\u%04x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

var paramRE = regexp.MustCompile(`\{([^}$]+)\}`)

// fill puts values into a route's path parameters, escaped.
func fill(path string, value func(name string) string) string {
	return paramRE.ReplaceAllStringFunc(path, func(m string) string {
		return url.PathEscape(value(strings.Trim(m, "{}")))
	})
}

// withStrings returns v with every string leaf replaced by s.
func withStrings(v any, s string) any {
	switch v := v.(type) {
	case string:
		return s
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = withStrings(x, s)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = withStrings(x, s)
		}
		return out
	}
	return v
}

// leaves lists the paths to every value in v, containers included.
func leaves(v any, at []any) [][]any {
	var out [][]any
	if at != nil {
		out = append(out, at)
	}
	switch v := v.(type) {
	case []any:
		for i, x := range v {
			out = append(out, leaves(x, append(slices.Clip(at), i))...)
		}
	case map[string]any:
		for k, x := range v {
			out = append(out, leaves(x, append(slices.Clip(at), k))...)
		}
	}
	return out
}

// replaced returns a copy of v with the value at path set to x.
func replaced(v any, path []any, x any) any {
	if len(path) == 0 {
		return x
	}
	switch v := v.(type) {
	case []any:
		out := slices.Clone(v)
		i := path[0].(int)
		out[i] = replaced(v[i], path[1:], x)
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, y := range v {
			out[k] = y
		}
		k := path[0].(string)
		out[k] = replaced(v[k], path[1:], x)
		return out
	}
	return v
}

func valueAt(v any, path []any) any {
	for _, p := range path {
		switch x := v.(type) {
		case []any:
			v = x[p.(int)]
		case map[string]any:
			v = x[p.(string)]
		}
	}
	return v
}

// wrongType is a value of another JSON type than v's.
func wrongType(v any) any {
	switch v.(type) {
	case string:
		return 12345
	case float64, int:
		return "1"
	case bool:
		return "true"
	case []any:
		return map[string]any{"0": "x"}
	case map[string]any:
		return []any{}
	}
	return "x"
}

func pathName(path []any) string {
	var b strings.Builder
	for _, p := range path {
		if i, ok := p.(int); ok {
			fmt.Fprintf(&b, "[%d]", i)
		} else {
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(p.(string))
		}
	}
	return b.String()
}

// bodyCases are refused by the decoder whatever the path: the path's ids
// are unknown so that a route that reads no body refuses too.
func bodyCases(body any, token string) []request {
	deep := strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000)
	nested := strings.Repeat(`{"a":`, 5000) + "1" + strings.Repeat("}", 5000)
	cases := []request{
		{kind: "body", name: "oversized body", body: `{"x":"` + strings.Repeat("a", httpkit.MaxBody) + `"}`},
		{kind: "body", name: "deeply nested array", body: deep},
		{kind: "body", name: "deeply nested object", body: nested},
		{kind: "body", name: "a list for the body", body: "[]"},
		{kind: "body", name: "a string for the body", body: `"x"`},
		{kind: "body", name: "null for the body", body: "null"},
		{kind: "body", name: "a number for the body", body: "1"},
		{kind: "body", name: "a form for the body", body: "role=coordinator", contentType: "application/x-www-form-urlencoded"},
		{kind: "body", name: "JSON said to be text", body: "{}", contentType: "text/plain"},
		{kind: "body", name: "two bodies", body: "{} {}"},
		{kind: "body", name: "truncated JSON", body: `{"a":`},
		{kind: "body", name: "unknown field", body: `{"zz_unknown":1}`},
		{kind: "body", name: "dotted unknown field", body: `{"a.b":1}`},
		{kind: "body", name: "operator for a field name", body: `{"$set":{"role":"coordinator"}}`},
	}
	if m, ok := body.(map[string]any); ok && len(m) > 0 {
		for _, path := range leaves(body, nil) {
			at := valueAt(body, path)
			w := wrongType(at)
			cases = append(cases, request{kind: "field", name: fmt.Sprintf("%s as %s", pathName(path), mustJSON(w)), body: mustJSON(replaced(body, path, w))})
			if _, ok := at.(string); ok {
				// One operator a field, in turn: each is refused as a wrong type.
				op := operators[len(cases)%len(operators)]
				cases = append(cases, request{kind: "field", name: fmt.Sprintf("%s as %s", pathName(path), op.name), body: mustJSON(replaced(body, path, op.value))})
			}
		}
		deepInField := mustJSON(replaced(body, leaves(body, nil)[0], placeholder))
		cases = append(cases, request{kind: "field", name: "deeply nested field", body: strings.Replace(deepInField, mustJSON(placeholder), deep, 1)})
	}
	for i := range cases {
		cases[i].token = token
	}
	return cases
}

// stringCases put each hostile string everywhere at once.
func stringCases(path string, query []string, body any, token string) []request {
	var cases []request
	for _, h := range hostileStrings {
		r := request{kind: "string", name: h.name + " everywhere", path: fill(path, func(string) string { return h.value }), query: url.Values{}, token: token}
		for _, q := range query {
			r.query.Set(q, h.value)
		}
		if body != nil {
			r.body = strings.ReplaceAll(mustJSON(withStrings(body, placeholder)), mustJSON(placeholder), rawJSONString(h.value))
		}
		cases = append(cases, r)
	}
	return cases
}

// tokens are the bearer tokens a caller must not get in with.
type tokens struct {
	forged, expired, unsigned string
}

func badTokens(issuer, other *auth.HMAC, owner auth.Principal) (tokens, error) {
	forged, err := other.Issue(owner, time.Hour)
	if err != nil {
		return tokens{}, err
	}
	expired, err := issuer.Issue(owner, -time.Minute)
	if err != nil {
		return tokens{}, err
	}
	// alg "none": the same claims, no signature.
	enc := base64.RawURLEncoding.EncodeToString
	claims := fmt.Sprintf(`{"iss":"percorsi","sub":%q,"role":%q,"org":%q,"exp":%d}`, owner.Subject, owner.Role, owner.Organisation, time.Now().Add(time.Hour).Unix())
	unsigned := enc([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc([]byte(claims)) + "."
	return tokens{forged: forged, expired: expired, unsigned: unsigned}, nil
}

package httpkit_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/percorsi/percorsi/pkg/endpointkit"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/httpkit"
)

type greeting struct {
	ID   string `json:"-"`
	Name string `json:"name"`
}

func TestHandler(t *testing.T) {
	echo := endpointkit.Typed(func(_ context.Context, g greeting) (greeting, error) { return g, nil })
	h := httpkit.Handler([]byte("openapi: 3.1.0\n"), []httpkit.Route{
		{Pattern: "PUT /v1/greetings/{id}", Endpoint: echo, Decode: httpkit.Body(func(r *http.Request, g *greeting) { g.ID = r.PathValue("id") })},
		{Pattern: "GET /v1/greetings/{id}", Endpoint: echo, Decode: httpkit.Path(func(r *http.Request) greeting { return greeting{Name: r.PathValue("id")} })},
	})
	do := func(method, path, body string) (int, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(body)))
		b, _ := io.ReadAll(rec.Body)
		return rec.Code, string(b)
	}
	if code, body := do("PUT", "/v1/greetings/g1", `{"name":"Amina"}`); code != 200 || !strings.Contains(body, `"Amina"`) {
		t.Fatalf("PUT: %d %s", code, body)
	}
	if code, body := do("GET", "/v1/greetings/Joy", ""); code != 200 || !strings.Contains(body, `"Joy"`) {
		t.Fatalf("GET: %d %s", code, body)
	}
	code, body := do("PUT", "/v1/greetings/g1", `{"nome":"Amina"}`)
	var e httpkit.ErrorBody
	if err := json.Unmarshal([]byte(body), &e); code != 400 || err != nil || e.Error.Field != "nome" {
		t.Fatalf("an unknown field: %d %s", code, body)
	}
	if code, body := do("GET", "/openapi.yaml", ""); code != 200 || body != "openapi: 3.1.0\n" {
		t.Fatalf("openapi: %d %q", code, body)
	}
}

// A body that is not a JSON object is refused, null included, which
// encoding/json would take for an empty request (issue 21: it replaced a
// person's plan with an empty revision); so is a body said to be other
// than JSON.
func TestDecodeRefusesWhatIsNotAnObject(t *testing.T) {
	for _, body := range []string{"null", " \n null", "[]", `[{"name":"a"}]`, `"a"`, "1", "true"} {
		_, err := decode([]byte(body))
		if e := errcode.As(err); e == nil || e.Code != errcode.Invalid || e.Field != "body" {
			t.Errorf("%q: %v, want Invalid naming body", body, err)
		}
	}
	for _, body := range []string{`{}`, ` {"name":"nullo"}`} {
		if _, err := decode([]byte(body)); err != nil {
			t.Errorf("%q: %v", body, err)
		}
	}
	for ct, ok := range map[string]bool{
		"application/json": true, "application/json; charset=utf-8": true, "application/merge-patch+json": true,
		"text/plain": false, "application/x-www-form-urlencoded": false, "multipart/form-data; boundary=x": false, ";;": false,
	} {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"name":"a"}`))
		r.Header.Set("Content-Type", ct)
		var v shape
		err := httpkit.Decode(r, &v)
		if e := errcode.As(err); ok != (err == nil) || !ok && (e == nil || e.Field != "Content-Type") {
			t.Errorf("Content-Type %q: %v", ct, err)
		}
	}
}

package httpkit_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/httpkit"
)

// shape has a field of every kind the services' requests use.
type shape struct {
	Name   string            `json:"name"`
	N      int               `json:"n"`
	OK     bool              `json:"ok"`
	Tags   []string          `json:"tags"`
	ByArea map[string]int    `json:"by_area"`
	Inner  *struct{ X int }  `json:"inner"`
	Lines  []json.RawMessage `json:"lines"`
}

func decode(body []byte) (shape, error) {
	var v shape
	err := httpkit.Decode(httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body)), &v)
	return v, err
}

// FuzzDecode: a body decodes, and then the value encodes and decodes to
// itself; or it is refused as Invalid naming the field at fault.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"name":"a","n":1,"ok":true,"tags":["x"],"by_area":{"a.b":1},"inner":{"X":2},"lines":[{}]}`,
		`{"n":"1"}`, `{"name":{"$gt":""}}`, `{"$where":"1"}`, `{} {}`, `[[[[[]]]]]`, ``, `{"name":"\u0000\u202e"}`, "{\"name\":\"\xff\"}",
	} {
		f.Add([]byte(s))
	}
	f.Add(append([]byte(`{"name":"`), append(bytes.Repeat([]byte("a"), httpkit.MaxBody), `"}`...)...))
	f.Fuzz(func(t *testing.T, body []byte) {
		v, err := decode(body)
		if err != nil {
			if e := errcode.As(err); e == nil || e.Code != errcode.Invalid || e.Field == "" {
				t.Fatalf("refusal %v is not Invalid naming a field", err)
			}
			return
		}
		if len(body) > httpkit.MaxBody {
			t.Fatalf("accepted a body of %d bytes", len(body))
		}
		again, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if len(again) > httpkit.MaxBody {
			return // the zero fields written out grew it past the bound
		}
		v2, err := decode(again)
		if err != nil || !reflect.DeepEqual(canonical(v), canonical(v2)) {
			t.Fatalf("%s decoded to %+v, which re-encodes as %s and decodes to %+v (%v)", body, v, again, v2, err)
		}
	})
}

// canonical writes the raw lines, which keep the body's own spacing and
// escapes, as json.Marshal does (compact, with <, > and & escaped).
func canonical(v shape) shape {
	for i, l := range v.Lines {
		if b, err := json.Marshal(l); err == nil {
			v.Lines[i] = b
		}
	}
	return v
}

// FuzzDecodeElement: a faulty element is named with its place first.
func FuzzDecodeElement(f *testing.F) {
	for _, s := range []string{`{"name":"a"}`, `{"n":"x"}`, `{"zz":1}`, `null`, `[`, `{"inner":{"X":"y"}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var v shape
		err := httpkit.DecodeElement(raw, &v, "lines[3]")
		if err == nil {
			return
		}
		if e := errcode.As(err); e == nil || e.Code != errcode.Invalid || !strings.HasPrefix(e.Field, "lines[3]") {
			t.Fatalf("refusal %v does not name lines[3]", err)
		}
	})
}

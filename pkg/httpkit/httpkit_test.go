package httpkit_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/percorsi/percorsi/pkg/httpkit"
)

// Every 503 a server sends says when to retry, also when the handler wrote
// the status itself (web's pages when a service is away, found by make
// chaos); a handler's own Retry-After stands, and other statuses get none.
func TestServeGivesEvery503RetryAfter(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/away", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) })
	mux.HandleFunc("/own", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	mux.HandleFunc("/ok", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- httpkit.Serve(ctx, ln, mux) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	for _, tc := range []struct {
		path, want string
		status     int
	}{
		{"/away", "5", http.StatusServiceUnavailable},
		{"/own", "30", http.StatusServiceUnavailable},
		{"/ok", "", http.StatusOK},
	} {
		resp, err := http.Get("http://" + ln.Addr().String() + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status || resp.Header.Get("Retry-After") != tc.want {
			t.Errorf("%s: status %d, Retry-After %q; want %d, %q", tc.path, resp.StatusCode, resp.Header.Get("Retry-After"), tc.status, tc.want)
		}
	}
}

func TestLanguage(t *testing.T) {
	for _, tt := range []struct{ url, accept, want string }{
		{"/x", "", "it"},
		{"/x?lang=en", "", "en"},
		{"/x?lang=en", "it-IT", "en"},
		{"/x?lang=de", "en-GB,en;q=0.9", "en"},
		{"/x", "it-IT,en;q=0.5", "it"},
		{"/x?lang=fr", "fr-FR", "it"},
	} {
		r := httptest.NewRequest(http.MethodGet, tt.url, nil)
		if tt.accept != "" {
			r.Header.Set("Accept-Language", tt.accept)
		}
		if got := httpkit.Language(r); got != tt.want {
			t.Errorf("%s, Accept-Language %q: %q, want %q", tt.url, tt.accept, got, tt.want)
		}
	}
	for l, want := range map[string]string{"": "it", "it": "it", "en": "en", "de": "it"} {
		if got := httpkit.Lang(l); got != want {
			t.Errorf("Lang(%q) = %q, want %q", l, got, want)
		}
	}
}

package process_test

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/auth/authtest"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/process"
)

const tokenKey = "a-signing-key-of-at-least-32-bytes!!"

// open opens a process whose store and broker are never reached: the
// driver and the writer connect lazily, and tokens are all these tests use.
func open(t *testing.T, oidc process.OIDCConfig) *process.Process {
	t.Helper()
	p, err := process.Open(t.Context(), "test", process.Config{
		MongoURI: "mongodb://127.0.0.1:1", KafkaBrokers: []string{"127.0.0.1:1"}, TokenKey: tokenKey, OIDC: oidc,
	}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Client.Disconnect(t.Context()) })
	return p
}

// A service configured with a provider takes its ID tokens as bearer
// tokens beside the built-in issuer's, with the role and organisation
// from the claims configured.
func TestVerifierAcceptsTheProvider(t *testing.T) {
	t.Parallel()
	idp := authtest.NewProvider(t, "percorsi", "")
	p := open(t, process.OIDCConfig{Issuer: idp.URL, ClientID: "percorsi", RoleClaim: "groups", OrgClaim: "org", RoleMap: "pc-teachers=teacher"})
	builtIn, err := p.Tokens.Issue(auth.Principal{Subject: "maria", Role: auth.Teacher, Organisation: "cpia1"}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	external := idp.Token(t, map[string]any{"sub": "u-7", "groups": []string{"pc-teachers"}, "org": "cpia2"}, time.Minute)
	for token, want := range map[string]auth.Principal{
		builtIn:  {Subject: "maria", Role: auth.Teacher, Organisation: "cpia1"},
		external: {Subject: "u-7", Role: auth.Teacher, Organisation: "cpia2"},
	} {
		got, err := p.Verifier.Verify(t.Context(), token)
		if err != nil || got != want {
			t.Errorf("Verify: %+v, %v; want %+v", got, err, want)
		}
	}
	noRole := idp.Token(t, map[string]any{"sub": "u-8", "groups": "staff", "org": "cpia2"}, time.Minute)
	if _, err := p.Verifier.Verify(t.Context(), noRole); errcode.Of(err) != errcode.Forbidden {
		t.Errorf("a provider user with no role of Percorsi: %v, want forbidden", err)
	}
}

// Without a provider only the built-in issuer's tokens pass.
func TestVerifierWithoutProvider(t *testing.T) {
	t.Parallel()
	idp := authtest.NewProvider(t, "percorsi", "")
	p := open(t, process.OIDCConfig{})
	external := idp.Token(t, map[string]any{"sub": "u-7", "role": "teacher"}, time.Minute)
	if _, err := p.Verifier.Verify(t.Context(), external); errcode.Of(err) != errcode.Unauthorized {
		t.Errorf("a provider's token with no provider configured: %v, want unauthorized", err)
	}
}

// A provider away when the service starts does not stop it: the
// built-in issuer's tokens pass, and the provider's get Unavailable (a 503
// the caller retries) until discovery succeeds.
func TestProviderAwayAtStart(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	away := "http://" + ln.Addr().String()
	ln.Close()
	p := open(t, process.OIDCConfig{Issuer: away, ClientID: "percorsi"})
	builtIn, _ := p.Tokens.Issue(auth.Principal{Subject: "maria", Role: auth.Teacher, Organisation: "cpia1"}, time.Minute)
	if _, err := p.Verifier.Verify(t.Context(), builtIn); err != nil {
		t.Errorf("built-in token while the provider is away: %v", err)
	}
	idp := authtest.NewProvider(t, "percorsi", "")
	// A token naming the away issuer, as the provider would sign it.
	external := idp.Token(t, map[string]any{"iss": away, "sub": "u-7", "role": "teacher"}, time.Minute)
	if _, err := p.Verifier.Verify(t.Context(), external); errcode.Of(err) != errcode.Unavailable {
		t.Errorf("a provider token while the provider is away: %v, want unavailable", err)
	}
}

// Configuration mistakes stop the process at start, naming the variable.
func TestProviderMisconfigured(t *testing.T) {
	t.Parallel()
	for _, cfg := range []process.OIDCConfig{
		{Issuer: "https://idp.example", ClientID: ""},
		{Issuer: "https://idp.example", ClientID: "percorsi", RoleMap: "admins=root"},
	} {
		_, err := process.Open(t.Context(), "test", process.Config{
			MongoURI: "mongodb://127.0.0.1:1", KafkaBrokers: []string{"127.0.0.1:1"}, TokenKey: tokenKey, OIDC: cfg,
		}, slog.New(slog.DiscardHandler))
		if err == nil {
			t.Errorf("%+v: opened", cfg)
		} else {
			t.Log(err)
		}
	}
}

// With ADMIN_ADDR, probes and metrics answer there and not beside the API,
// whose port the ingress routes (issue 21).
func TestAdminAddr(t *testing.T) {
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	adminAddr := free.Addr().String()
	free.Close()
	p, err := process.Open(t.Context(), "test", process.Config{
		MongoURI: "mongodb://127.0.0.1:1", KafkaBrokers: []string{"127.0.0.1:1"}, TokenKey: tokenKey, AdminAddr: adminAddr,
	}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	api := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { http.NotFound(w, nil) })
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx, ln, api) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	get := func(addr, path string) int {
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			resp, err := http.Get("http://" + addr + path)
			if err == nil {
				resp.Body.Close()
				return resp.StatusCode
			}
			if time.Now().After(deadline) {
				t.Fatalf("GET %s%s: %v", addr, path, err)
			}
		}
	}
	for _, path := range []string{"/metrics", "/healthz"} {
		if got := get(adminAddr, path); got != http.StatusOK {
			t.Errorf("admin %s: %d", path, got)
		}
		if got := get(ln.Addr().String(), path); got != http.StatusNotFound {
			t.Errorf("public %s: %d, want 404", path, got)
		}
	}
}

// Serve listens where the configuration says and stops with ctx.
func TestServe(t *testing.T) {
	p := open(t, process.OIDCConfig{})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- p.Serve(ctx, process.Config{HTTPAddr: "127.0.0.1:0", GRPCAddr: "127.0.0.1:0"}, http.NotFoundHandler(), grpc.NewServer())
	}()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := p.Serve(t.Context(), process.Config{HTTPAddr: "no such address"}, http.NotFoundHandler(), nil); err == nil || !strings.Contains(err.Error(), "HTTP_ADDR") {
		t.Fatalf("a bad HTTP_ADDR: %v", err)
	}
}

package web_test

import (
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/auth/authtest"
	"github.com/percorsi/percorsi/pkg/devstack/devstacktest"
	"github.com/percorsi/percorsi/pkg/process"
	"github.com/percorsi/percorsi/services/web"
	"github.com/percorsi/percorsi/services/web/domain"
	"github.com/percorsi/percorsi/services/web/signin"
)

// Signing in with an external OpenID Connect provider: the browser goes
// to the provider and back, web checks the ID token and the sign-in's own
// state and nonce, and the session speaks to the services with the role
// and organisation the provider's claims give.
func TestOIDCSignIn(t *testing.T) {
	stack := devstacktest.Start(t)
	idp := authtest.NewProvider(t, "percorsi-web", "s3cret")
	pathway := newPathwayFake(t)
	// web's address first: the provider sends the browser back to it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	app, err := web.Open(t.Context(), web.Config{
		Config: process.Config{MongoURI: stack.MongoURI(), KafkaBrokers: stack.KafkaBrokers(), TokenKey: testKey, OIDC: process.OIDCConfig{
			Issuer: idp.URL, ClientID: "percorsi-web", RoleClaim: "groups", OrgClaim: "organisation",
			RoleMap: "pc-caseworkers=case_worker,pc-monitoring=monitoring",
		}},
		PathwayGRPC: pathway.addr, Resilience: resilience,
		CoursesGRPC: "127.0.0.1:1", TrainingGRPC: "127.0.0.1:1", JobsGRPC: "127.0.0.1:1", HousingGRPC: "127.0.0.1:1", // not called on these pages
		SignIn: signin.Config{ClientSecret: "s3cret", RedirectURL: base + "/signin/oidc/callback", Name: "Regione Lazio"},
	}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(app.Handler(app.Pages))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	r := &rig{app: app, url: srv.URL, pathway: pathway}

	t.Run("a case worker of the provider reaches her caseload", func(t *testing.T) {
		b := r.browser(t)
		_, page := b.get("/signin")
		if !strings.Contains(page, "Accedi con Regione Lazio") {
			t.Fatal("the sign-in page offers no provider")
		}
		idp.SignInAs(map[string]any{"sub": "idp-42", "name": "Giulia da Lazio", "groups": []string{"staff", "pc-caseworkers"}, "organisation": "coop-aurora"})
		status, page := b.get("/signin/oidc?next=/persons")
		if status != http.StatusOK || !strings.Contains(page, "Accesso come Giulia da Lazio") || !strings.Contains(page, `data-testid="caseload"`) {
			t.Fatalf("status %d; want the caseload, signed in", status)
		}
		pathway.mu.Lock()
		who := pathway.who
		pathway.mu.Unlock()
		if who != (auth.Principal{Subject: "idp-42", Role: auth.CaseWorker, Organisation: "coop-aurora"}) {
			t.Errorf("pathway was called as %+v", who)
		}
	})

	t.Run("a user the provider gives no role of Percorsi", func(t *testing.T) {
		b := r.browser(t)
		idp.SignInAs(map[string]any{"sub": "idp-43", "groups": []string{"staff"}})
		status, page := b.get("/signin/oidc")
		if status != http.StatusForbidden || !strings.Contains(page, "non ha un ruolo in Percorsi") {
			t.Errorf("status %d, want 403 saying so", status)
		}
		if _, page := b.get("/persons"); !strings.Contains(page, `name="password"`) {
			t.Error("a user without a role got a session")
		}
	})

	t.Run("a callback this browser did not start is refused", func(t *testing.T) {
		b := r.browser(t)
		status, _ := b.get("/signin/oidc/callback?code=x&state=forged")
		if status != http.StatusForbidden {
			t.Errorf("status %d, want 403", status)
		}
	})

	t.Run("the accounts of web still sign in", func(t *testing.T) {
		if err := r.app.Accounts.Put(t.Context(), account(t, "maria.rossi", auth.Teacher)); err != nil {
			t.Fatal(err)
		}
		r.browser(t).signIn("maria.rossi")
	})
}

// Without a provider configured there is no button and no route.
func TestOIDCOffByDefault(t *testing.T) {
	r := start(t)
	b := r.browser(t)
	if _, page := b.get("/signin"); strings.Contains(page, `data-testid="oidc"`) {
		t.Error("a provider button without a provider")
	}
	if status, _ := b.get("/signin/oidc"); status != http.StatusNotFound {
		t.Errorf("/signin/oidc: status %d, want 404", status)
	}
}

// account is a web account with the demo password.
func account(t *testing.T, username string, role auth.Role) *domain.Account {
	t.Helper()
	hash, err := domain.HashPassword("percorsi-demo")
	if err != nil {
		t.Fatal(err)
	}
	return &domain.Account{Username: username, DisplayName: username, Role: role, PasswordHash: hash}
}

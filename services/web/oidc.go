package web

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/services/web/domain"
)

// OIDCConfig lets people sign in with an external OpenID Connect provider
// (the Region's, an organisation's) by the authorization-code flow with
// PKCE, beside the accounts web keeps. Off when Issuer is empty. The
// provider's subject becomes the user's id towards the services, and its
// claims name the role and the organisation.
type OIDCConfig struct {
	Issuer       string `env:"OIDC_ISSUER"`
	ClientID     string `env:"OIDC_CLIENT_ID"`
	ClientSecret string `env:"OIDC_CLIENT_SECRET"`
	// RedirectURL is web's /signin/oidc/callback as browsers reach it,
	// registered with the provider.
	RedirectURL string `env:"OIDC_REDIRECT_URL"`
	RoleClaim   string `env:"OIDC_ROLE_CLAIM" envDefault:"role"`
	OrgClaim    string `env:"OIDC_ORG_CLAIM" envDefault:"org"`
	// RoleMap maps the provider's values to roles: "value=role,...".
	RoleMap string `env:"OIDC_ROLE_MAP"`
	// Name is what the sign-in button says, e.g. "SPID" or "Regione Lazio".
	Name string `env:"OIDC_NAME" envDefault:"OpenID Connect"`
}

// oidcCookie carries one sign-in's state, nonce and PKCE verifier from
// the redirect to the provider to the callback, and nowhere else.
const oidcCookie = "percorsi_oidc"

// oidcSignIn discovers the provider on first use, so that web starts, and
// its own accounts sign in, while the provider is away.
type oidcSignIn struct {
	cfg   OIDCConfig
	roles map[string]auth.Role

	mu       sync.Mutex
	verifier *auth.OIDC
	oauth    *oauth2.Config
}

func newOIDCSignIn(cfg OIDCConfig) (*oidcSignIn, error) {
	if cfg.Issuer == "" {
		return nil, nil
	}
	if cfg.ClientID == "" || cfg.RedirectURL == "" {
		return nil, fmt.Errorf("web: OIDC_ISSUER needs OIDC_CLIENT_ID and OIDC_REDIRECT_URL")
	}
	roles, err := auth.ParseRoleMap(cfg.RoleMap)
	if err != nil {
		return nil, fmt.Errorf("web: OIDC_ROLE_MAP: %w", err)
	}
	return &oidcSignIn{cfg: cfg, roles: roles}, nil
}

// provider returns the verifier and the OAuth2 client, discovering the
// provider when not done yet.
func (o *oidcSignIn) provider(ctx context.Context) (*auth.OIDC, *oauth2.Config, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.verifier == nil {
		// The key set outlives this request: it refreshes keys with the
		// context it was made with.
		v, err := auth.NewOIDC(context.WithoutCancel(ctx), auth.OIDCConfig{
			Issuer: o.cfg.Issuer, ClientID: o.cfg.ClientID, RoleClaim: o.cfg.RoleClaim, OrgClaim: o.cfg.OrgClaim, RoleMap: o.roles,
		})
		if err != nil {
			return nil, nil, errcode.Wrap(errcode.Unavailable, err, "the sign-in provider")
		}
		o.verifier = v
		o.oauth = &oauth2.Config{
			ClientID: o.cfg.ClientID, ClientSecret: o.cfg.ClientSecret, RedirectURL: o.cfg.RedirectURL,
			Endpoint: v.Provider().Endpoint(), Scopes: []string{oidc.ScopeOpenID, "profile"},
		}
	}
	return o.verifier, o.oauth, nil
}

type oidcState struct {
	State, Nonce, Verifier, Next string
}

func (a *App) oidcRoutes(mux *http.ServeMux) {
	if a.oidc == nil {
		return
	}
	mux.HandleFunc("GET /signin/oidc", a.oidcStart)
	mux.HandleFunc("GET /signin/oidc/callback", a.oidcCallback)
}

// oidcStart sends the browser to the provider.
func (a *App) oidcStart(w http.ResponseWriter, r *http.Request) {
	_, conf, err := a.oidc.provider(r.Context())
	if err != nil {
		a.oidcFailed(w, r, http.StatusServiceUnavailable, "signin.oidc_away", err)
		return
	}
	st := oidcState{State: randomToken(), Nonce: randomToken(), Verifier: oauth2.GenerateVerifier(), Next: localPath(r.URL.Query().Get("next"))}
	b, err := json.Marshal(st)
	if err != nil {
		a.oidcFailed(w, r, http.StatusInternalServerError, "error.internal", err)
		return
	}
	c := a.cookie(r, oidcCookie, base64.RawURLEncoding.EncodeToString(b), 10*time.Minute)
	c.Path = "/signin/oidc"
	http.SetCookie(w, c)
	http.Redirect(w, r, conf.AuthCodeURL(st.State, oidc.Nonce(st.Nonce), oauth2.S256ChallengeOption(st.Verifier)), http.StatusFound)
}

// oidcCallback takes the provider's answer: the code is exchanged with
// the verifier, the ID token checked (signature, issuer, audience, expiry,
// the nonce of this browser's sign-in), and a session starts as for an
// account of web's own.
func (a *App) oidcCallback(w http.ResponseWriter, r *http.Request) {
	var st oidcState
	c, err := r.Cookie(oidcCookie)
	if err == nil {
		var b []byte
		if b, err = base64.RawURLEncoding.DecodeString(c.Value); err == nil {
			err = json.Unmarshal(b, &st)
		}
	}
	gone := a.cookie(r, oidcCookie, "", -1)
	gone.Path = "/signin/oidc"
	http.SetCookie(w, gone)
	q := r.URL.Query()
	if err != nil || !sameToken(q.Get("state"), st.State) {
		a.oidcFailed(w, r, http.StatusForbidden, "error.csrf", nil)
		return
	}
	if q.Get("error") != "" {
		// The user declined or the provider refused: say so, no detail.
		a.oidcFailed(w, r, http.StatusUnauthorized, "signin.oidc_failed", nil)
		return
	}
	verifier, conf, err := a.oidc.provider(r.Context())
	if err != nil {
		a.oidcFailed(w, r, http.StatusServiceUnavailable, "signin.oidc_away", err)
		return
	}
	tok, err := conf.Exchange(r.Context(), q.Get("code"), oauth2.VerifierOption(st.Verifier))
	if err != nil {
		a.oidcFailed(w, r, http.StatusUnauthorized, "signin.oidc_failed", err)
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	id, err := verifier.Identify(r.Context(), raw)
	switch {
	case errcode.Of(err) == errcode.Forbidden:
		a.oidcFailed(w, r, http.StatusForbidden, "signin.oidc_no_role", nil)
		return
	case err != nil:
		a.oidcFailed(w, r, http.StatusUnauthorized, "signin.oidc_failed", err)
		return
	case !sameToken(id.Nonce, st.Nonce):
		a.oidcFailed(w, r, http.StatusForbidden, "error.csrf", nil)
		return
	}
	name := id.Name
	if name == "" {
		name = id.Subject
	}
	a.startSession(w, r, &domain.Session{Username: id.Subject, DisplayName: name, Role: id.Role, Organisation: id.Organisation}, st.Next)
}

// oidcFailed shows the sign-in page saying why the provider's sign-in did
// not work; the cause goes to the log, without the user's data.
func (a *App) oidcFailed(w http.ResponseWriter, r *http.Request, status int, key string, cause error) {
	if cause != nil {
		a.Log.WarnContext(r.Context(), "sign-in with the provider failed", "err", cause)
	}
	p := a.newPage(r, "signin.title")
	p.CSRF = a.anonymousCSRF(w, r)
	p.Error = p.T(key)
	p.Data = signInData{Next: "/", OIDC: a.oidcName()}
	a.render(w, r, status, "signin", p)
}

// oidcName is what the sign-in button says; "" when there is none.
func (a *App) oidcName() string {
	if a.oidc == nil {
		return ""
	}
	return a.oidc.cfg.Name
}

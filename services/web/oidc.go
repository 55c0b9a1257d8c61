package web

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/process"
	"github.com/percorsi/percorsi/services/web/domain"
)

// SignInConfig lets people sign in with the external OpenID Connect
// provider that process.Config's OIDC names (the Region's, an
// organisation's) by the authorization-code flow with PKCE, beside the
// accounts web keeps. The provider's subject becomes the user's id towards
// the services, and its claims name the role and the organisation.
type SignInConfig struct {
	ClientSecret string `env:"OIDC_CLIENT_SECRET"`
	// RedirectURL is web's /signin/oidc/callback as browsers reach it,
	// registered with the provider.
	RedirectURL string `env:"OIDC_REDIRECT_URL"`
	// Name is what the sign-in button says, e.g. "SPID" or "Regione Lazio".
	Name string `env:"OIDC_NAME" envDefault:"OpenID Connect"`
}

// oidcCookie carries one sign-in's state, nonce and PKCE verifier from
// the redirect to the provider to the callback, and nowhere else.
const oidcCookie = "percorsi_oidc"

// oidcSignIn is the sign-in flow with the provider, discovered on first
// use so that web starts, and its own accounts sign in, while the provider
// is away.
type oidcSignIn struct {
	cfg      SignInConfig
	clientID string
	provider *auth.LazyOIDC
}

func newOIDCSignIn(provider process.OIDCConfig, cfg SignInConfig) (*oidcSignIn, error) {
	lazy, err := provider.Provider()
	if err != nil || lazy == nil {
		return nil, err
	}
	if cfg.RedirectURL == "" {
		return nil, fmt.Errorf("web: OIDC_ISSUER needs OIDC_REDIRECT_URL")
	}
	return &oidcSignIn{cfg: cfg, clientID: provider.ClientID, provider: lazy}, nil
}

// client returns the verifier and the OAuth2 client of the provider.
func (o *oidcSignIn) client(ctx context.Context) (*auth.OIDC, *oauth2.Config, error) {
	v, err := o.provider.Get(ctx)
	if err != nil {
		return nil, nil, err
	}
	return v, &oauth2.Config{
		ClientID: o.clientID, ClientSecret: o.cfg.ClientSecret, RedirectURL: o.cfg.RedirectURL,
		Endpoint: v.Provider().Endpoint(), Scopes: []string{oidc.ScopeOpenID, "profile"},
	}, nil
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
	_, conf, err := a.oidc.client(r.Context())
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
	verifier, conf, err := a.oidc.client(r.Context())
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

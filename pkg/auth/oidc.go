package auth

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/golang-jwt/jwt/v5"

	"github.com/percorsi/percorsi/pkg/errcode"
)

// Roles lists every role, for checking what an outside provider claims.
var Roles = []Role{Teacher, Coordinator, Trainer, Counsellor, Employer, HousingWorker, CaseWorker, Monitoring}

// OIDCConfig names an external OpenID Connect provider and how its claims
// become a Principal. Organisations keep their users there; Percorsi reads
// the role and the organisation from claims the provider is told to add.
type OIDCConfig struct {
	Issuer   string // the provider's issuer URL; discovery is read from it
	ClientID string // tokens must name it as their audience
	// RoleClaim and OrgClaim name the claims that carry the role and the
	// organisation ("role" and "org" when empty). The role claim may be a
	// string or a list, e.g. the groups a user is in: the first value that
	// maps to a role wins.
	RoleClaim, OrgClaim string
	// RoleMap maps the provider's values to roles; when nil, the values
	// must be Percorsi's role names themselves.
	RoleMap map[string]Role
}

// ParseRoleMap reads "provider-value=role,..." as configuration gives it,
// refusing a role Percorsi does not have.
func ParseRoleMap(s string) (map[string]Role, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	out := map[string]Role{}
	for _, pair := range strings.Split(s, ",") {
		from, to, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if !ok || from == "" || !slices.Contains(Roles, Role(to)) {
			return nil, fmt.Errorf("auth: role map entry %q: want provider-value=role, the role one of %v", pair, Roles)
		}
		out[from] = Role(to)
	}
	return out, nil
}

// OIDC verifies the ID tokens of an external provider (RS256 and the
// other asymmetric algorithms it publishes, with keys from its JWKS,
// fetched and refreshed as the provider rotates them).
type OIDC struct {
	cfg      OIDCConfig
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
}

// NewOIDC reads the provider's discovery document within ctx. The key set
// then fetches the provider's keys on its own, each fetch bounded.
func NewOIDC(ctx context.Context, cfg OIDCConfig) (*OIDC, error) {
	if cfg.Issuer == "" || cfg.ClientID == "" {
		return nil, fmt.Errorf("auth: an OpenID Connect provider needs an issuer and a client id")
	}
	if cfg.RoleClaim == "" {
		cfg.RoleClaim = "role"
	}
	if cfg.OrgClaim == "" {
		cfg.OrgClaim = "org"
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, &http.Client{Timeout: 10 * time.Second}), cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("auth: OpenID Connect discovery at %s: %w", cfg.Issuer, err)
	}
	return &OIDC{cfg: cfg, provider: p, verifier: p.Verifier(&oidc.Config{ClientID: cfg.ClientID})}, nil
}

// LazyOIDC discovers the provider on first use and again after a failed
// discovery, so that a process starts, and takes the built-in issuer's
// tokens, while the provider is away.
type LazyOIDC struct {
	cfg OIDCConfig

	mu sync.Mutex
	o  *OIDC
}

// NewLazyOIDC checks cfg without reaching the provider.
func NewLazyOIDC(cfg OIDCConfig) (*LazyOIDC, error) {
	if cfg.Issuer == "" || cfg.ClientID == "" {
		return nil, fmt.Errorf("auth: an OpenID Connect provider needs an issuer and a client id")
	}
	return &LazyOIDC{cfg: cfg}, nil
}

// Get returns the discovered provider; Unavailable while it cannot be read.
func (l *LazyOIDC) Get(ctx context.Context) (*OIDC, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.o == nil {
		o, err := NewOIDC(ctx, l.cfg)
		if err != nil {
			return nil, errcode.Wrap(errcode.Unavailable, err, "the OpenID Connect provider")
		}
		l.o = o
	}
	return l.o, nil
}

// Issuer is the provider's issuer URL, known before discovery.
func (l *LazyOIDC) Issuer() string { return l.cfg.Issuer }

// Verify implements Verifier.
func (l *LazyOIDC) Verify(ctx context.Context, raw string) (Principal, error) {
	o, err := l.Get(ctx)
	if err != nil {
		return Principal{}, err
	}
	return o.Verify(ctx, raw)
}

// Provider is the discovered provider, whose endpoints a sign-in flow uses.
func (o *OIDC) Provider() *oidc.Provider { return o.provider }

// Issuer is the provider's issuer URL.
func (o *OIDC) Issuer() string { return o.cfg.Issuer }

// Identity is who an ID token names, with what the pages greet them by.
type Identity struct {
	Principal
	Name  string // the name claim, or the preferred user name
	Nonce string // to match against the sign-in that asked for the token
}

// Verify checks an ID token as a bearer token: signature, issuer,
// audience and expiry, then maps its claims.
func (o *OIDC) Verify(ctx context.Context, raw string) (Principal, error) {
	id, err := o.Identify(ctx, raw)
	if err != nil {
		return Principal{}, err
	}
	return id.Principal, nil
}

// Identify verifies raw and returns whom it names. A valid token whose
// claims name no role of Percorsi is Forbidden: the person is known to the
// provider but has no access here.
func (o *OIDC) Identify(ctx context.Context, raw string) (*Identity, error) {
	tok, err := o.verifier.Verify(ctx, raw)
	if err != nil {
		return nil, &errcode.Error{Code: errcode.Unauthorized, Field: "authorization", Message: "invalid or expired token", Err: err}
	}
	var claims map[string]any
	if err := tok.Claims(&claims); err != nil {
		return nil, &errcode.Error{Code: errcode.Unauthorized, Field: "authorization", Message: "unreadable claims", Err: err}
	}
	role, ok := o.role(claims[o.cfg.RoleClaim])
	if !ok {
		return nil, errcode.New(errcode.Forbidden, "authorization", "the provider gives this user no role of Percorsi")
	}
	org, _ := claims[o.cfg.OrgClaim].(string)
	if tok.Subject == "" {
		return nil, errcode.New(errcode.Unauthorized, "authorization", "token lacks a subject")
	}
	id := &Identity{Principal: Principal{Subject: tok.Subject, Role: role, Organisation: org}, Nonce: tok.Nonce}
	for _, c := range []string{"name", "preferred_username"} {
		if s, _ := claims[c].(string); s != "" && id.Name == "" {
			id.Name = s
		}
	}
	return id, nil
}

// role maps a claim, a string or a list of strings, to a role.
func (o *OIDC) role(claim any) (Role, bool) {
	var values []string
	switch v := claim.(type) {
	case string:
		values = []string{v}
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok {
				values = append(values, s)
			}
		}
	}
	for _, v := range values {
		if o.cfg.RoleMap != nil {
			if r, ok := o.cfg.RoleMap[v]; ok {
				return r, true
			}
			continue
		}
		if slices.Contains(Roles, Role(v)) {
			return Role(v), true
		}
	}
	return "", false
}

// Issuer is the issuer the HMAC tokens name.
func (h *HMAC) Issuer() string { return h.issuer }

// ByIssuer verifies a token with the verifier of the issuer it names, so
// that the services accept the built-in issuer's tokens and an external
// provider's side by side. The issuer is read before the signature is
// checked only to choose the verifier, which then checks everything.
type ByIssuer map[string]Verifier

// Verify implements Verifier.
func (b ByIssuer) Verify(ctx context.Context, token string) (Principal, error) {
	var c jwt.RegisteredClaims
	if _, _, err := jwt.NewParser().ParseUnverified(token, &c); err != nil {
		return Principal{}, &errcode.Error{Code: errcode.Unauthorized, Field: "authorization", Message: "malformed token", Err: err}
	}
	v, ok := b[c.Issuer]
	if !ok {
		return Principal{}, errcode.New(errcode.Unauthorized, "authorization", "tokens of issuer %q are not accepted", c.Issuer)
	}
	return v.Verify(ctx, token)
}

package signin

import (
	"context"
	"fmt"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/process"
)

// Config lets people sign in with the external OpenID Connect provider
// that process.Config's OIDC names (the Region's, an organisation's) by
// the authorization-code flow with PKCE, beside the accounts web keeps.
// The provider's subject becomes the user's id towards the services, and
// its claims name the role and the organisation.
type Config struct {
	ClientSecret string `env:"OIDC_CLIENT_SECRET"`
	// RedirectURL is web's /signin/oidc/callback as browsers reach it,
	// registered with the provider.
	RedirectURL string `env:"OIDC_REDIRECT_URL"`
	// Name is what the sign-in button says, e.g. "SPID" or "Regione Lazio".
	Name string `env:"OIDC_NAME" envDefault:"OpenID Connect"`
}

// Provider is the sign-in flow with the provider, discovered on first use
// so that web starts, and its own accounts sign in, while the provider is
// away.
type Provider struct {
	cfg      Config
	clientID string
	provider *auth.LazyOIDC
}

// NewProvider returns the provider of cfg; nil when none is configured.
func NewProvider(provider process.OIDCConfig, cfg Config) (*Provider, error) {
	lazy, err := provider.Provider()
	if err != nil || lazy == nil {
		return nil, err
	}
	if cfg.RedirectURL == "" {
		return nil, fmt.Errorf("web: OIDC_ISSUER needs OIDC_REDIRECT_URL")
	}
	return &Provider{cfg: cfg, clientID: provider.ClientID, provider: lazy}, nil
}

// Client returns the verifier and the OAuth2 client of the provider.
func (o *Provider) Client(ctx context.Context) (*auth.OIDC, *oauth2.Config, error) {
	v, err := o.provider.Get(ctx)
	if err != nil {
		return nil, nil, err
	}
	return v, &oauth2.Config{
		ClientID: o.clientID, ClientSecret: o.cfg.ClientSecret, RedirectURL: o.cfg.RedirectURL,
		Endpoint: v.Provider().Endpoint(), Scopes: []string{oidc.ScopeOpenID, "profile"},
	}, nil
}

// Name is what the sign-in button says; "" when there is no provider.
func (o *Provider) Name() string {
	if o == nil {
		return ""
	}
	return o.cfg.Name
}

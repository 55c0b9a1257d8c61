package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/auth/authtest"
	"github.com/percorsi/percorsi/pkg/errcode"
)

// An external provider's RS256 tokens, checked against its JWKS, are
// accepted beside the built-in issuer's; the role and organisation come
// from the claims configured.
func TestOIDC(t *testing.T) {
	t.Parallel()
	idp := authtest.NewProvider(t, "percorsi", "s3cret")
	other := authtest.NewProvider(t, "percorsi", "s3cret") // same client, another key and issuer
	roles, err := auth.ParseRoleMap("pc-caseworkers=case_worker, pc-monitoring=monitoring")
	if err != nil {
		t.Fatal(err)
	}
	o, err := auth.NewOIDC(context.WithoutCancel(t.Context()), auth.OIDCConfig{Issuer: idp.URL, ClientID: "percorsi", RoleClaim: "groups", OrgClaim: "organisation", RoleMap: roles})
	if err != nil {
		t.Fatal(err)
	}
	hmac, err := auth.NewHMAC([]byte("a-signing-key-of-at-least-32-bytes!!"))
	if err != nil {
		t.Fatal(err)
	}
	either := auth.ByIssuer{hmac.Issuer(): hmac, o.Issuer(): o}
	giulia := map[string]any{"sub": "u-123", "groups": []string{"staff", "pc-caseworkers"}, "organisation": "coop-aurora", "name": "Giulia Bianchi"}
	builtIn, _ := hmac.Issue(auth.Principal{Subject: "maria.rossi", Role: auth.Teacher, Organisation: "cpia1"}, time.Hour)

	tests := []struct {
		name  string
		token string
		want  auth.Principal
		code  errcode.Code
	}{
		{"provider token", idp.Token(t, giulia, time.Hour), auth.Principal{Subject: "u-123", Role: auth.CaseWorker, Organisation: "coop-aurora"}, ""},
		{"built-in token", builtIn, auth.Principal{Subject: "maria.rossi", Role: auth.Teacher, Organisation: "cpia1"}, ""},
		{"expired", idp.Token(t, giulia, -time.Minute), auth.Principal{}, errcode.Unauthorized},
		{"another audience", idp.Token(t, map[string]any{"sub": "u-1", "aud": "someone-else", "groups": "pc-caseworkers"}, time.Hour), auth.Principal{}, errcode.Unauthorized},
		{"an unknown issuer", other.Token(t, giulia, time.Hour), auth.Principal{}, errcode.Unauthorized},
		{"signed by another key under the provider's name", forge(t, other, idp.URL, giulia), auth.Principal{}, errcode.Unauthorized},
		{"no role of Percorsi", idp.Token(t, map[string]any{"sub": "u-2", "groups": []string{"staff"}}, time.Hour), auth.Principal{}, errcode.Forbidden},
		{"a role name the map does not have", idp.Token(t, map[string]any{"sub": "u-3", "groups": "case_worker"}, time.Hour), auth.Principal{}, errcode.Forbidden},
		{"not a token", "nonsense", auth.Principal{}, errcode.Unauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := either.Verify(t.Context(), tt.token)
			if errcode.Of(err) != tt.code || (err == nil && tt.code != "") {
				t.Fatalf("error %v, want code %q", err, tt.code)
			}
			if got != tt.want {
				t.Errorf("principal %+v, want %+v", got, tt.want)
			}
		})
	}

	// The endpoint middleware takes the provider's token like any other.
	e := auth.Require(either, auth.CaseWorker)(func(ctx context.Context, _ any) (any, error) {
		p, _ := auth.From(ctx)
		return p.Subject, nil
	})
	got, err := e(auth.WithToken(t.Context(), idp.Token(t, giulia, time.Hour)), nil)
	if err != nil || got != "u-123" {
		t.Errorf("Require with a provider token: %v, %v", got, err)
	}
}

// forge signs claims with other's key but names issuer as the issuer.
func forge(t *testing.T, other *authtest.Provider, issuer string, claims map[string]any) string {
	c := map[string]any{"iss": issuer}
	for k, v := range claims {
		c[k] = v
	}
	return other.Token(t, c, time.Hour)
}

func TestParseRoleMap(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"a", "a=boss", "=case_worker"} {
		if _, err := auth.ParseRoleMap(bad); err == nil {
			t.Errorf("ParseRoleMap(%q) accepted", bad)
		}
	}
	if m, err := auth.ParseRoleMap(""); err != nil || m != nil {
		t.Errorf("an empty map: %v, %v", m, err)
	}
}

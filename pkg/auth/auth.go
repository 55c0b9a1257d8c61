// Package auth carries who is calling into every service and checks it at
// the endpoint, so that roles and scopes are enforced by the services
// themselves and not only by the pages. Tokens are signed JWTs; the built-in
// issuer signs with a shared HMAC key, and a Verifier for an external OpenID
// Connect provider can stand in its place.
package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/go-kit/kit/endpoint"
	"github.com/golang-jwt/jwt/v5"
	"google.golang.org/grpc/metadata"

	"github.com/percorsi/percorsi/pkg/errcode"
)

// Role is what a user does in Percorsi.
type Role string

const (
	Teacher       Role = "teacher"        // marks the registers of the classes they teach
	Coordinator   Role = "coordinator"    // a CPIA's course coordinator: all its classes
	Trainer       Role = "trainer"        // vocational trainer: their editions
	Counsellor    Role = "counsellor"     // job orientation: people of their organisation
	Employer      Role = "employer"       // only placements it is party to
	HousingWorker Role = "housing_worker" // housing steps of their organisation
	CaseWorker    Role = "case_worker"    // the whole pathway of their organisation's people
	Monitoring    Role = "monitoring"     // aggregates only, never a person
)

// Principal is the authenticated caller.
type Principal struct {
	Subject      string // stable user id, never a person followed by Percorsi
	Role         Role
	Organisation string // organisation or CPIA the user works for
}

type claims struct {
	jwt.RegisteredClaims
	Role         Role   `json:"role"`
	Organisation string `json:"org"`
}

// Verifier checks a bearer token.
type Verifier interface {
	Verify(ctx context.Context, token string) (Principal, error)
}

// HMAC issues and verifies tokens signed with a shared key (HS256).
type HMAC struct {
	key    []byte
	issuer string
}

// NewHMAC returns an issuer and verifier for key, which must be at least
// 32 bytes.
func NewHMAC(key []byte) (*HMAC, error) {
	if len(key) < 32 {
		return nil, errors.New("auth: signing key must be at least 32 bytes")
	}
	return &HMAC{key: key, issuer: "percorsi"}, nil
}

// Issue signs a token for p valid for ttl.
func (h *HMAC) Issue(p Principal, ttl time.Duration) (string, error) {
	now := time.Now()
	c := claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: h.issuer, Subject: p.Subject,
			IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
		},
		Role: p.Role, Organisation: p.Organisation,
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(h.key)
	if err != nil {
		return "", fmt.Errorf("auth: sign token: %w", err)
	}
	return s, nil
}

// Verify checks signature, issuer and expiry.
func (h *HMAC) Verify(_ context.Context, token string) (Principal, error) {
	var c claims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return h.key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(h.issuer), jwt.WithExpirationRequired())
	if err != nil {
		return Principal{}, &errcode.Error{Code: errcode.Unauthorized, Field: "authorization", Message: "invalid or expired token", Err: err}
	}
	if c.Subject == "" || c.Role == "" {
		return Principal{}, errcode.New(errcode.Unauthorized, "authorization", "token lacks subject or role")
	}
	return Principal{Subject: c.Subject, Role: c.Role, Organisation: c.Organisation}, nil
}

type tokenKey struct{}
type principalKey struct{}

// From returns the caller an endpoint is serving.
func From(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// With returns ctx carrying p, for in-process callers such as demo seeding.
func With(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// HTTPToContext moves the bearer token of a request into the context; it is
// a go-kit ServerBefore function. The endpoint middleware checks it.
func HTTPToContext(ctx context.Context, r *http.Request) context.Context {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return ctx
	}
	return context.WithValue(ctx, tokenKey{}, token)
}

// GRPCToContext does the same for gRPC metadata.
func GRPCToContext(ctx context.Context, md metadata.MD) context.Context {
	for _, v := range md.Get("authorization") {
		if token, ok := strings.CutPrefix(v, "Bearer "); ok {
			return context.WithValue(ctx, tokenKey{}, token)
		}
	}
	return ctx
}

// ContextToHTTP forwards the caller's token on an outgoing request (a
// go-kit ClientBefore function), so the callee checks the same user.
func ContextToHTTP(ctx context.Context, r *http.Request) context.Context {
	if token, ok := ctx.Value(tokenKey{}).(string); ok {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	return ctx
}

// ContextToGRPC does the same for the metadata of an outgoing gRPC call.
func ContextToGRPC(ctx context.Context, md *metadata.MD) context.Context {
	if token, ok := ctx.Value(tokenKey{}).(string); ok {
		md.Set("authorization", "Bearer "+token)
	}
	return ctx
}

// WithToken returns ctx carrying a raw bearer token to forward.
func WithToken(ctx context.Context, token string) context.Context {
	return context.WithValue(ctx, tokenKey{}, token)
}

// Require verifies the caller's token and admits only the given roles.
// Which resources the caller may touch is the use case's to decide.
func Require(v Verifier, roles ...Role) endpoint.Middleware {
	return func(next endpoint.Endpoint) endpoint.Endpoint {
		return func(ctx context.Context, req any) (any, error) {
			p, ok := From(ctx)
			if !ok {
				token, _ := ctx.Value(tokenKey{}).(string)
				if token == "" {
					return nil, errcode.New(errcode.Unauthorized, "authorization", "a bearer token is required")
				}
				var err error
				if p, err = v.Verify(ctx, token); err != nil {
					return nil, err
				}
				ctx = With(ctx, p)
			}
			if !slices.Contains(roles, p.Role) {
				return nil, errcode.New(errcode.Forbidden, "", "role %s may not do this", p.Role)
			}
			return next(ctx, req)
		}
	}
}

// Package link signs and opens the links employers use, without an
// account, to confirm that a placement started or ended. A link names one
// placement, one purpose and one link id, and expires; the signature
// (HMAC-SHA256) makes it unforgeable. Single use is the placement's to
// enforce: it stores the id of its one valid link and spends it in the
// same write as the confirmation.
package link

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/percorsi/percorsi/pkg/errcode"
)

// Claims are what a link says.
type Claims struct {
	Placement string    `json:"pl"`
	ID        string    `json:"id"`
	Purpose   string    `json:"pu"`
	Expires   time.Time `json:"exp"`
}

// Signer signs and opens links with its own key.
type Signer struct{ key []byte }

// NewSigner derives the link key from secret (the service's token key), so
// that a link can never pass for a user token nor the reverse.
func NewSigner(secret []byte) (*Signer, error) {
	if len(secret) < 32 {
		return nil, errors.New("link: secret must be at least 32 bytes")
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("percorsi jobs employer link v1"))
	return &Signer{key: m.Sum(nil)}, nil
}

var enc = base64.RawURLEncoding

// Sign returns the token for c: URL-safe, no padding.
func (s *Signer) Sign(c Claims) (string, error) {
	body, err := json.Marshal(c)
	if err != nil {
		return "", errcode.Wrap(errcode.Internal, err, "sign link")
	}
	payload := enc.EncodeToString(body)
	return payload + "." + enc.EncodeToString(s.mac(payload)), nil
}

// Open checks token's signature and expiry at now and returns its claims.
// Errors are Forbidden naming "token"; they never say which check failed
// beyond expiry, so a forger learns nothing.
func (s *Signer) Open(token string, now time.Time) (Claims, error) {
	refused := errcode.New(errcode.Forbidden, "token", "this link is not valid")
	payload, sig, ok := strings.Cut(token, ".")
	if !ok || len(token) > 1024 {
		return Claims{}, refused
	}
	got, err := enc.DecodeString(sig)
	if err != nil || !hmac.Equal(got, s.mac(payload)) {
		return Claims{}, refused
	}
	body, err := enc.DecodeString(payload)
	if err != nil {
		return Claims{}, refused
	}
	var c Claims
	if err := json.Unmarshal(body, &c); err != nil || c.Placement == "" || c.ID == "" {
		return Claims{}, refused
	}
	if !now.Before(c.Expires) {
		return Claims{}, errcode.New(errcode.Forbidden, "token", "this link has expired")
	}
	return c, nil
}

func (s *Signer) mac(payload string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(payload))
	return m.Sum(nil)
}

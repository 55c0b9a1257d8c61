package link_test

import (
	"strings"
	"testing"
	"time"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/services/jobs/link"
)

func TestLinks(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	s, err := link.NewSigner([]byte("a-secret-of-at-least-thirty-two-bytes"))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := link.NewSigner([]byte("another-secret-of-at-least-32-bytes!"))
	claims := link.Claims{Placement: "pl1", ID: "lk1", Purpose: "start", Expires: now.Add(time.Hour)}
	good, err := s.Sign(claims)
	if err != nil {
		t.Fatal(err)
	}
	forged, _ := other.Sign(claims)
	payload, sig, _ := strings.Cut(good, ".")
	// Another placement's payload under this link's signature.
	otherClaims := claims
	otherClaims.Placement = "pl2"
	otherToken, _ := s.Sign(otherClaims)
	otherPayload, _, _ := strings.Cut(otherToken, ".")

	cases := []struct {
		name  string
		token string
		at    time.Time
		ok    bool
	}{
		{"valid", good, now, true},
		{"expired", good, now.Add(time.Hour), false},
		{"signed with another key", forged, now, false},
		{"payload swapped", otherPayload + "." + sig, now, false},
		{"signature flipped", payload + "." + flip(sig), now, false},
		{"payload flipped", flip(payload) + "." + sig, now, false},
		{"no signature", payload, now, false},
		{"empty", "", now, false},
		{"garbage", "%%%.!!!", now, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := s.Open(tc.token, tc.at)
			if tc.ok {
				if err != nil || c != claims {
					t.Fatalf("open: %+v, %v", c, err)
				}
				return
			}
			if e := errcode.As(err); e == nil || e.Code != errcode.Forbidden || e.Field != "token" {
				t.Fatalf("got %+v, %v; want Forbidden naming token", c, err)
			}
		})
	}
}

// flip changes one character in the middle of s.
func flip(s string) string {
	b := []byte(s)
	i := len(b) / 2
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

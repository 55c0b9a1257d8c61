package auth_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/metadata"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/errcode"
)

func TestTokens(t *testing.T) {
	t.Parallel()
	h, err := auth.NewHMAC([]byte("a-signing-key-of-at-least-32-bytes!!"))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := auth.NewHMAC([]byte("another-signing-key-of-32-bytes-or-more"))
	p := auth.Principal{Subject: "maria.rossi", Role: auth.Teacher, Organisation: "cpia1"}
	good, _ := h.Issue(p, time.Hour)
	expired, _ := h.Issue(p, -time.Minute)
	foreign, _ := other.Issue(p, time.Hour)
	parts := strings.Split(good, ".")
	tampered := parts[0] + "." + strings.Replace(parts[1], parts[1][5:6], "A", 1) + "." + parts[2]
	unsigned := parts[0] + "." + parts[1] + "."

	got, err := h.Verify(t.Context(), good)
	if err != nil || got != p {
		t.Fatalf("good token: %+v, %v", got, err)
	}
	for name, tok := range map[string]string{"expired": expired, "foreign key": foreign, "tampered": tampered, "unsigned": unsigned, "garbage": "x.y.z", "empty": ""} {
		if _, err := h.Verify(t.Context(), tok); errcode.Of(err) != errcode.Unauthorized {
			t.Errorf("%s token: err = %v, want unauthorized", name, err)
		}
	}
	if _, err := auth.NewHMAC([]byte("short")); err == nil {
		t.Error("a short key was accepted")
	}
}

func TestRequire(t *testing.T) {
	t.Parallel()
	h, _ := auth.NewHMAC([]byte("a-signing-key-of-at-least-32-bytes!!"))
	teacher, _ := h.Issue(auth.Principal{Subject: "t", Role: auth.Teacher}, time.Hour)
	monitor, _ := h.Issue(auth.Principal{Subject: "m", Role: auth.Monitoring}, time.Hour)
	e := auth.Require(h, auth.Teacher)(func(ctx context.Context, _ any) (any, error) {
		p, _ := auth.From(ctx)
		return p.Subject, nil
	})
	if got, err := e(auth.WithToken(t.Context(), teacher), nil); err != nil || got != "t" {
		t.Fatalf("teacher: %v %v", got, err)
	}
	if _, err := e(auth.WithToken(t.Context(), monitor), nil); errcode.Of(err) != errcode.Forbidden {
		t.Fatalf("monitoring officer: %v", err)
	}
	if _, err := e(t.Context(), nil); errcode.Of(err) != errcode.Unauthorized {
		t.Fatalf("no token: %v", err)
	}
}

// The caller's token goes out in a gRPC call's metadata as the server side
// reads it back; without one, nothing is sent.
func TestTokenOverGRPC(t *testing.T) {
	t.Parallel()
	h, _ := auth.NewHMAC([]byte("a-signing-key-of-at-least-32-bytes!!"))
	token, _ := h.Issue(auth.Principal{Subject: "t", Role: auth.Teacher}, time.Hour)
	md := metadata.MD{}
	auth.ContextToGRPC(auth.WithToken(t.Context(), token), &md)
	if got := md.Get("authorization"); len(got) != 1 || got[0] != "Bearer "+token {
		t.Fatalf("metadata %v", md)
	}
	e := auth.Require(h, auth.Teacher)(func(ctx context.Context, _ any) (any, error) {
		p, _ := auth.From(ctx)
		return p.Subject, nil
	})
	if got, err := e(auth.GRPCToContext(t.Context(), md), nil); err != nil || got != "t" {
		t.Errorf("the forwarded token read back as %v, %v", got, err)
	}
	none := metadata.MD{}
	auth.ContextToGRPC(t.Context(), &none)
	if len(none) != 0 {
		t.Errorf("no caller, metadata %v", none)
	}
}

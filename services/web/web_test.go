package web

import (
	"testing"

	"github.com/percorsi/percorsi/services/web/domain"
)

func TestPassword(t *testing.T) {
	t.Parallel()
	hash, err := domain.HashPassword("percorsi-demo")
	if err != nil {
		t.Fatal(err)
	}
	other, err := domain.HashPassword("percorsi-demo")
	if err != nil {
		t.Fatal(err)
	}
	if hash == other {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	tests := []struct {
		name, hash, password string
		want                 bool
	}{
		{"right password", hash, "percorsi-demo", true},
		{"wrong password", hash, "percorsi-demO", false},
		{"empty password", hash, "", false},
		{"malformed hash", "$argon2id$v=19$m=1,t=1$x$y", "percorsi-demo", false},
		{"other algorithm", "$2a$10$abcdefghijklmnopqrstuv", "percorsi-demo", false},
		{"empty hash", "", "", false},
	}
	for _, tt := range tests {
		if got := domain.CheckPassword(tt.hash, tt.password); got != tt.want {
			t.Errorf("%s: CheckPassword = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestLocalPath(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"/lessons/x":           "/lessons/x",
		"":                     "/",
		"https://evil.example": "/",
		"//evil.example":       "/",
		`/\evil.example`:       "/",
		"lessons":              "/",
	}
	for in, want := range tests {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHours(t *testing.T) {
	t.Parallel()
	tests := map[int]string{0: "0 h", 120: "2 h", 90: "1 h 30 min", 605: "10 h 5 min"}
	for in, want := range tests {
		if got := hours(in); got != want {
			t.Errorf("hours(%d) = %q, want %q", in, got, want)
		}
	}
}

package i18n

import (
	"net/http/httptest"
	"testing"
)

func TestCatalogueComplete(t *testing.T) {
	t.Parallel()
	for _, lang := range Languages {
		for _, other := range Languages {
			for key := range texts[other] {
				if _, ok := texts[lang][key]; !ok {
					t.Errorf("%s lacks %q", lang, key)
				}
			}
		}
	}
	for key := range singular {
		if _, ok := texts["it"][key]; !ok {
			t.Errorf("a singular of %q, which no page says", key)
		}
	}
}

func TestLanguage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, cookie, accept, want string
	}{
		{"italian by default", "", "", "it"},
		{"browser prefers english", "", "en-GB,en;q=0.9", "en"},
		{"browser prefers italian", "", "it-IT,it;q=0.9,en;q=0.8", "it"},
		{"weights decide", "", "de;q=1.0,en;q=0.5,it;q=0.8", "it"},
		{"unknown languages fall back", "", "de,fr", "it"},
		{"the user's choice wins", "en", "it", "en"},
		{"a forged cookie is ignored", "xx", "en", "en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest("GET", "/", nil)
			if tt.accept != "" {
				r.Header.Set("Accept-Language", tt.accept)
			}
			if tt.cookie != "" {
				r.Header.Set("Cookie", Cookie+"="+tt.cookie)
			}
			if got := Language(r); got != tt.want {
				t.Errorf("Language = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestPlurals: each language's rules choose the form, and numbers are
// written as the pages always wrote them, without thousands separators.
func TestPlurals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lang, key string
		args      []any
		want      string
	}{
		{"it", "signin.limited", []any{1}, "Troppi tentativi. Riprova tra 1 minuto."},
		{"it", "signin.limited", []any{15}, "Troppi tentativi. Riprova tra 15 minuti."},
		{"en", "signin.limited", []any{1}, "Too many attempts. Try again in 1 minute."},
		{"en", "signin.limited", []any{0}, "Too many attempts. Try again in 0 minutes."},
		{"it", "legal.days_left", []any{0}, "Mancano 0 giorni alla scadenza."},
		{"it", "legal.days_left", []any{1826}, "Mancano 1826 giorni alla scadenza."},
		{"it", "register.lesson", []any{"26/11/2026", 1}, "Lezione del 26/11/2026, 1 minuto"},
		{"en", "register.count", []any{1200, 1500}, "1200 present out of 1500"},
		{"it", "nav.signed_in_as", []any{"Maria"}, "Accesso come Maria"},
		{"it", "no.such_key", []any{1}, "no.such_key"},
	}
	for _, tt := range tests {
		if got := T(tt.lang, tt.key, tt.args...); got != tt.want {
			t.Errorf("T(%s, %s, %v) = %q, want %q", tt.lang, tt.key, tt.args, got, tt.want)
		}
	}
}

package euro_test

import (
	"testing"

	"github.com/percorsi/percorsi/pkg/euro"
)

func TestFormat(t *testing.T) {
	for _, tt := range []struct {
		lang  string
		cents int64
		want  string
	}{
		{"it", 0, "0,00 €"},
		{"it", 45000, "450,00 €"},
		{"it", 123450, "1.234,50 €"},
		{"it", 123456789, "1.234.567,89 €"},
		{"en", 5, "€0.05"},
		{"en", 123450, "€1,234.50"},
		{"en", 100000000, "€1,000,000.00"},
		{"", 65500, "655,00 €"},
	} {
		if got := euro.Format(tt.lang, tt.cents); got != tt.want {
			t.Errorf("Format(%q, %d) = %q, want %q", tt.lang, tt.cents, got, tt.want)
		}
	}
}

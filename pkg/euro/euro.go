// Package euro writes amounts of money the way each language of the pages
// does, so that a service's sentences and web's own figures agree.
package euro

import (
	"strconv"
	"strings"
)

// Format writes cents (never negative: rents, budgets and allowances are
// checked where they are entered) as 1.234,50 € in Italian and €1,234.50
// in English; any other language is Italian.
func Format(lang string, cents int64) string {
	group, decimal := ".", ","
	if lang == "en" {
		group, decimal = ",", "."
	}
	units := strconv.FormatInt(cents/100, 10)
	var b strings.Builder
	for i, d := range units {
		if i > 0 && (len(units)-i)%3 == 0 {
			b.WriteString(group)
		}
		b.WriteRune(d)
	}
	b.WriteString(decimal)
	b.WriteString(strconv.FormatInt(100+cents%100, 10)[1:])
	if lang == "en" {
		return "€" + b.String()
	}
	return b.String() + " €"
}

package web_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The monitoring officer reads housing's figures beside pathway's. In the
// demo no kind of accommodation holds five people, so every housing cell
// is suppressed: the tables name the kinds and show no number.
func TestBrowserMonitoringHousing(t *testing.T) {
	sys := whole(t)
	tb := newTab(t, sys.WebURL)
	tb.signIn("sofia.ricci")
	tb.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid=indicators]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=housing-housed_now]`)))
	if got := tb.text(`[data-testid=housing-indicators]`); !strings.Contains(got, "Abitare") || !strings.Contains(got, "Casa rifugio") {
		t.Errorf("housing's part lacks its title or the protected shelters: %q", got)
	}
	// The people column; a median of days may be under five.
	cells := evaluate[[]string](tb, `Array.from(document.querySelectorAll('[data-testid=housing-indicators] tbody td:first-of-type')).map(td => td.textContent.trim())`)
	if len(cells) == 0 {
		t.Fatal("housing's tables have no cells")
	}
	for _, c := range cells {
		if n, err := strconv.Atoi(c); err == nil && n < 5 {
			t.Errorf("a housing cell counts %d people", n)
		}
	}
	tb.checkAccessibility()
	tb.screenshot("housing-indicators")
}

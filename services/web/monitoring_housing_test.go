package web_test

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// The monitoring officer's page shows housing's figures beside pathway's,
// small cells suppressed, and says when housing is away while the rest
// still works.
func TestMonitoringHousing(t *testing.T) {
	r := start(t)

	t.Run("housing's tables, charts and CSV with no cell under 5", func(t *testing.T) {
		b := r.browser(t)
		page := b.signIn("sofia.ricci")
		for _, want := range []string{`data-testid="indicators"`, `data-testid="housing-indicators"`, `data-testid="housing-housed_now"`,
			`data-testid="housing-exits"`, `data-testid="housing-median_stay_days"`, `id="housing-chart-housed_now"`,
			"Casa rifugio", ">6<", ">120<", "Senza dimora", `href="/monitoring/housing/export"`} {
			if !strings.Contains(page, want) {
				t.Errorf("the page lacks %s", want)
			}
		}
		if strings.Contains(page, ">3<") {
			t.Error("a housing count under 5 is shown")
		}
		resp, err := b.c.Get(r.url + "/monitoring/housing/export")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if cd := resp.Header.Get("Content-Disposition"); resp.StatusCode != http.StatusOK || !strings.HasPrefix(cd, `attachment; filename="percorsi-abitare-`) {
			t.Fatalf("export: status %d, Content-Disposition %q", resp.StatusCode, cd)
		}
		records, err := csv.NewReader(resp.Body).ReadAll()
		if err != nil || len(records) != 5 || strings.Join(records[0], ",") != "indicator,group,people,value" {
			t.Fatalf("export: %v (%v)", records, err)
		}
		want := map[string][2]string{
			"housed_now protected_shelter": {"6", "6"}, "housed_now semi_autonomy_flat": {"<5", ""},
			"exits homeless": {"<5", ""}, "median_stay_days protected_shelter": {"7", "120"},
		}
		for _, rec := range records[1:] {
			if got, w := [2]string{rec[2], rec[3]}, want[rec[0]+" "+rec[1]]; got != w {
				t.Errorf("export row %v: people and value %v, want %v", rec, got, w)
			}
			if n, err := strconv.Atoi(rec[2]); err == nil && n < 5 {
				t.Errorf("the export counts %d people in %v", n, rec)
			}
		}
	})

	t.Run("only the monitoring officer", func(t *testing.T) {
		for _, user := range []string{"giulia.bianchi", "marta.gallo", "elena.ferri"} {
			b := r.browser(t)
			b.signIn(user)
			if status, _ := b.get("/monitoring/housing/export"); status != http.StatusForbidden {
				t.Errorf("%s: status %d, want 403", user, status)
			}
		}
		if _, page := r.browser(t).get("/monitoring/housing/export"); !strings.Contains(page, `name="password"`) {
			t.Error("anonymous export not sent to the sign-in page")
		}
	})

	// Last: the breaker opens on the fake's dropped connections.
	t.Run("housing away: that part says so, pathway's part works", func(t *testing.T) {
		r.housing.down.Store(true)
		t.Cleanup(func() { r.housing.down.Store(false) })
		b := r.browser(t)
		page := b.signIn("sofia.ricci")
		if !strings.Contains(page, `data-testid="unavailable"`) || !strings.Contains(page, "Il servizio dell&#39;abitare non risponde") {
			t.Error("the page does not say housing's part is unavailable")
		}
		if !strings.Contains(page, `data-testid="indicators"`) || !strings.Contains(page, ">8<") || strings.Contains(page, `data-testid="housing-indicators"`) {
			t.Error("with housing away, pathway's indicators are missing or housing's are shown")
		}
		if status, page := b.get("/monitoring/housing/export"); status != http.StatusServiceUnavailable || !strings.Contains(page, `data-testid="unavailable"`) {
			t.Errorf("housing export with housing away: status %d, want 503 saying so", status)
		}
	})
}

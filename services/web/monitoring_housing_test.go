package web_test

import (
	"encoding/csv"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/devstack/devstacktest"
	"github.com/percorsi/percorsi/pkg/process"
	"github.com/percorsi/percorsi/services/web"
	"github.com/percorsi/percorsi/services/web/domain"
)

// housingWithIndicators is the housing fake with housing's monitoring
// figures: some shown, one suppressed by housing, and a 3 that slipped
// through, which web must suppress all the same.
func housingWithIndicators(f *fake, mux *http.ServeMux) {
	housingRoutes(f, mux)
	mux.HandleFunc("GET /v1/indicators", func(w http.ResponseWriter, _ *http.Request) {
		f.mu.Lock()
		who := f.who
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if who.Role != auth.Monitoring {
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`{"error":{"code":"forbidden","message":"monitoring, case workers and housing workers only"}}`))
			return
		}
		six, three, seven, days := 6, 3, 7, 120
		_ = json.NewEncoder(w).Encode(map[string]any{"min_cell": 5, "cells": []map[string]any{
			{"indicator": "housed_now", "group": "protected_shelter", "people": six, "value": six},
			{"indicator": "housed_now", "group": "semi_autonomy_flat", "suppressed": true},
			{"indicator": "exits", "group": "homeless", "people": three, "value": three},
			{"indicator": "median_stay_days", "group": "protected_shelter", "people": seven, "value": days},
		}})
	})
}

// startWithIndicators is start with the fakes serving housing's
// indicators too.
func startWithIndicators(t *testing.T) *rig {
	t.Helper()
	stack := devstacktest.Start(t)
	r := &rig{
		courses: newFake(t, coursesRoutes), pathway: newFake(t, pathwayRoutes),
		training: newFake(t, trainingRoutes), jobs: newFake(t, jobsRoutes), housing: newFake(t, housingWithIndicators),
	}
	ctx := t.Context()
	app, err := web.Open(ctx, web.Config{
		Config:     process.Config{MongoURI: stack.MongoURI(), KafkaBrokers: stack.KafkaBrokers(), TokenKey: testKey},
		CoursesURL: r.courses.URL, PathwayURL: r.pathway.URL, Resilience: resilience,
		TrainingURL: r.training.URL, JobsURL: r.jobs.URL, HousingURL: r.housing.URL,
	}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	r.app = app
	hash, err := domain.HashPassword("percorsi-demo")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []*domain.Account{
		{Username: "maria.rossi", DisplayName: "Maria Rossi", Role: auth.Teacher, Organisation: "cpia1-roma"},
		{Username: "giulia.bianchi", DisplayName: "Giulia Bianchi", Role: auth.CaseWorker, Organisation: "coop-aurora"},
		{Username: "elena.ferri", DisplayName: "Elena Ferri", Role: auth.Counsellor, Organisation: "coop-aurora"},
		{Username: "franco.marino", DisplayName: "Franco Marino", Role: auth.Trainer, Organisation: "cfp-lazio"},
		{Username: "marta.gallo", DisplayName: "Marta Gallo", Role: auth.HousingWorker, Organisation: "coop-aurora"},
		{Username: "gino.esposito", DisplayName: "Gino Esposito", Role: auth.Employer, Organisation: "emp-trattoria-gino"},
		{Username: "sofia.ricci", DisplayName: "Sofia Ricci", Role: auth.Monitoring, Organisation: "regione-lazio"},
	} {
		a.PasswordHash = hash
		if err := app.Accounts.Put(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(app.Handler(app.Pages))
	t.Cleanup(srv.Close)
	r.url = srv.URL
	return r
}

// The monitoring officer's page shows housing's figures beside pathway's,
// small cells suppressed, and says when housing is away while the rest
// still works.
func TestMonitoringHousing(t *testing.T) {
	r := startWithIndicators(t)

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

package web

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/percorsi/percorsi/pkg/errcode"
	housingv1 "github.com/percorsi/percorsi/proto/percorsi/housing/v1"
	pathwayv1 "github.com/percorsi/percorsi/proto/percorsi/pathway/v1"
	"github.com/percorsi/percorsi/services/web/clients"
	"github.com/percorsi/percorsi/services/web/i18n"
)

// The monitoring officer's pages: indicators by organisation or territory
// and period, as tables and charts, and the CSV for the Region and the
// national funder. Nothing here names or links to a person: pathway counts
// people and suppresses small cells, and web suppresses them again, so
// that a mistake on one side does not single anyone out.

// minCell is the smallest count shown; pathway applies the same.
const minCell = 5

// indicators are what monitoring counts, in the order pathway reports.
var indicators = []string{"taken_in_charge", "enrolled", "certified", "qualified", "placed", "housed", "autonomous_exits"}

// housingIndicators are housing's own measures, in the order housing
// reports, each with the catalogue prefix that names its groups: kinds of
// accommodation, or where people went on leaving.
var housingIndicators = []struct{ Name, Groups string }{
	{"housed_now", "kind."}, {"exits", "dest."}, {"median_stay_days", "kind."},
}

// monitoringRoutes adds the monitoring officer's pages to mux.
func (a *App) monitoringRoutes(mux *http.ServeMux) {
	mux.Handle("GET /monitoring", a.signedIn(monitoringOfficers, a.monitoringPage))
	mux.Handle("GET /monitoring/export", a.signedIn(monitoringOfficers, a.monitoringExport))
	mux.Handle("GET /monitoring/housing/export", a.signedIn(monitoringOfficers, a.housingExport))
}

// period is the monitoring form: a grouping and a period of whole days,
// both ends included as people say them.
type period struct {
	By, From, To string
	Errors       fieldErrors
	from, to     time.Time // to is the day after the last, as pathway counts
}

// readPeriod reads the form, defaulting to the last twelve months.
func (a *App) readPeriod(r *http.Request, p *page) period {
	q := r.URL.Query()
	today := time.Now().In(a.loc)
	f := period{By: q.Get("by"), From: q.Get("from"), To: q.Get("to"), Errors: fieldErrors{}}
	if f.By == "" {
		f.By = "organisation"
	}
	if f.From == "" && f.To == "" {
		f.From, f.To = today.AddDate(-1, 0, 1).Format(time.DateOnly), today.Format(time.DateOnly)
	}
	if f.By != "organisation" && f.By != "territory" {
		f.Errors["by"] = p.T("form.choose")
	}
	var err error
	if f.from, err = time.Parse(time.DateOnly, f.From); err != nil {
		f.Errors["from"] = p.T("form.date")
	}
	if f.to, err = time.Parse(time.DateOnly, f.To); err != nil {
		f.Errors["to"] = p.T("form.date")
	} else {
		f.to = f.to.AddDate(0, 0, 1)
	}
	if len(f.Errors) == 0 && !f.to.After(f.from) {
		f.Errors["to"] = p.T("monitoring.to_after_from")
	}
	return f
}

// Query is the form as a query string, for the export link.
func (f period) Query() string {
	return "by=" + f.By + "&from=" + f.From + "&to=" + f.To
}

type monitoringRow struct {
	Group string
	Cells []string // by indicator; "<5" when suppressed
}

type monitoringData struct {
	Period     period
	Groupings  []option
	Indicators []string // in words
	Rows       []monitoringRow
	Charts     []*barChart
	Loaded     bool
	Suppressed string
	// The period in words, both days included.
	FromDay, ToDay string
	// Housing's figures, as of now across the network, once housing
	// answered.
	Housing       []housingTable
	HousingLoaded bool
}

// housingTable is one of housing's indicators by group, with its chart.
type housingTable struct {
	Indicator, Caption, GroupHeader string
	Days                            bool // a median of days beside the people
	Rows                            []housingRow
	Chart                           *barChart
}

type housingRow struct {
	Group, People, Days string // People "<5" and Days "" when suppressed
}

func (a *App) monitoringPage(w http.ResponseWriter, r *http.Request) {
	p := a.newPage(r, "monitoring.title")
	f := a.readPeriod(r, p)
	d := monitoringData{Period: f, Groupings: a.options(p, "monitoring.by.", []string{"organisation", "territory"}), Suppressed: fmt.Sprintf("<%d", minCell),
		FromDay: dayText(p.Lang, f.From), ToDay: dayText(p.Lang, f.To)}
	for _, ind := range indicators {
		d.Indicators = append(d.Indicators, p.T("indicator."+ind))
	}
	status := http.StatusOK
	if len(f.Errors) > 0 {
		status, p.Error = http.StatusBadRequest, p.T("form.check", len(f.Errors))
	} else {
		// Housing's part is read beside pathway's and may be away alone;
		// pathway's is the page.
		var (
			load       sync.WaitGroup
			housing    *housingv1.IndicatorsResponse
			housingErr error
		)
		load.Go(func() { housing, housingErr = a.Housing.Indicators(r.Context()) })
		res, err := a.Pathway.Indicators(r.Context(), f.By, f.from, f.to)
		load.Wait()
		if err != nil {
			a.fail(w, r, p, "monitoring", err)
			return
		}
		if housingErr != nil {
			if errcode.Of(housingErr) != errcode.Unavailable {
				a.Log.ErrorContext(r.Context(), "reading housing's indicators", "err", housingErr)
			}
			p.Away = append(p.Away, p.T("unavailable.housing_indicators"))
		} else {
			d.Housing, d.HousingLoaded = housingTables(p, housing), true
		}
		rows, err := shownRows(res)
		if err != nil {
			a.fail(w, r, p, "monitoring", err)
			return
		}
		d.Loaded = true
		for _, row := range rows {
			d.Rows = append(d.Rows, monitoringRow{Group: row.Group, Cells: row.cells()})
			d.Charts = append(d.Charts, newBarChart("chart-"+strconv.Itoa(len(d.Charts)),
				p.T("monitoring.chart_title", row.Group), p.T("monitoring.chart_desc", row.Group, d.FromDay, d.ToDay, minCell),
				d.Indicators, row.Counts, d.Suppressed))
		}
	}
	p.Data = d
	a.render(w, r, status, "monitoring", p)
}

// shownRow is a row of pathway's counts as web shows them, in the order
// of indicators: nil where pathway or web suppressed the count.
type shownRow struct {
	Group  string
	Counts []*int
}

// shownRows reads pathway's rows, suppressing again every count under
// minCell: they leave web only as pathway's suppression and web's agree.
func shownRows(res *pathwayv1.MonitoringResponse) ([]shownRow, error) {
	var out []shownRow
	for _, row := range res.GetRows() {
		counts, err := clients.Counts(row)
		if err != nil {
			return nil, err
		}
		sr := shownRow{Group: row.Group, Counts: make([]*int, len(indicators))}
		for i, ind := range indicators {
			if n := counts[ind]; n != nil && *n >= minCell {
				sr.Counts[i] = n
			}
		}
		out = append(out, sr)
	}
	return out, nil
}

// cells are the counts in words, "<5" when suppressed.
func (r shownRow) cells() []string {
	out := make([]string, len(r.Counts))
	for i, n := range r.Counts {
		out[i] = fmt.Sprintf("<%d", minCell)
		if n != nil {
			out[i] = strconv.Itoa(*n)
		}
	}
	return out
}

// shownCell returns a housing cell's people and value as web shows them:
// nothing of a cell under housing's threshold or web's own.
func shownCell(c *housingv1.Cell, housingMin int32) (people, value *int) {
	if c.Suppressed || c.People == nil || int(*c.People) < max(int(housingMin), minCell) {
		return nil, nil
	}
	return widen(c.People), widen(c.Value)
}

// widen is n as an int, nil as nil.
func widen(n *int32) *int {
	if n == nil {
		return nil
	}
	v := int(*n)
	return &v
}

// housingTables lays housing's cells out as one table per indicator; an
// indicator with no cells has no table.
func housingTables(p *page, h *housingv1.IndicatorsResponse) []housingTable {
	suppressed := fmt.Sprintf("<%d", minCell)
	var out []housingTable
	for _, ind := range housingIndicators {
		t := housingTable{Indicator: ind.Name, Caption: p.T("monitoring.housing.caption." + ind.Name),
			GroupHeader: p.T("monitoring.housing.group." + ind.Name), Days: ind.Name == "median_stay_days"}
		var labels []string
		var values []*int
		for _, c := range h.Cells {
			if c.Indicator != ind.Name {
				continue
			}
			row := housingRow{Group: i18n.Or(p.Lang, ind.Groups+c.Group, c.Group), People: suppressed}
			people, value := shownCell(c, h.MinCell)
			if people != nil {
				row.People = strconv.Itoa(*people)
			}
			// The chart draws the table's last column: people, or days.
			drawn := people
			if t.Days {
				drawn = nil
				if value != nil {
					row.Days, drawn = strconv.Itoa(*value), value
				}
			}
			t.Rows = append(t.Rows, row)
			labels, values = append(labels, row.Group), append(values, drawn)
		}
		if len(t.Rows) == 0 {
			continue
		}
		t.Chart = newBarChart("housing-chart-"+ind.Name, t.Caption, p.T("monitoring.housing.chart_desc", t.Caption, minCell), labels, values, suppressed)
		out = append(out, t)
	}
	return out
}

// housingExport downloads housing's indicators as CSV, suppressed as on
// the page: they are as of now, so the file is named by today.
func (a *App) housingExport(w http.ResponseWriter, r *http.Request) {
	p := a.newPage(r, "monitoring.title")
	h, err := a.Housing.Indicators(r.Context())
	if err != nil {
		a.fail(w, r, p, "housing_indicators", err)
		return
	}
	records := [][]string{{"indicator", "group", "people", "value"}}
	for _, c := range h.Cells {
		rec := []string{c.Indicator, c.Group, fmt.Sprintf("<%d", minCell), ""}
		if people, value := shownCell(c, h.MinCell); people != nil {
			rec[2] = strconv.Itoa(*people)
			if value != nil {
				rec[3] = strconv.Itoa(*value)
			}
		}
		records = append(records, rec)
	}
	a.sendCSV(w, r, p, "housing_indicators", "percorsi-abitare-"+time.Now().In(a.loc).Format(time.DateOnly)+".csv", records)
}

// monitoringExport downloads the indicators as CSV, for the Region and
// the national funder: the period is pathway's, its end the day after the
// last, and a suppressed count reads "<5".
func (a *App) monitoringExport(w http.ResponseWriter, r *http.Request) {
	p := a.newPage(r, "monitoring.title")
	f := a.readPeriod(r, p)
	if len(f.Errors) > 0 {
		http.Redirect(w, r, "/monitoring?"+f.Query(), http.StatusSeeOther)
		return
	}
	res, err := a.Pathway.Indicators(r.Context(), f.By, f.from, f.to)
	var rows []shownRow
	if err == nil {
		rows, err = shownRows(res)
	}
	if err != nil {
		a.fail(w, r, p, "monitoring", err)
		return
	}
	records := [][]string{append([]string{f.By, "period_from", "period_to"}, indicators...)}
	for _, row := range rows {
		records = append(records, append([]string{row.Group, f.from.Format(time.DateOnly), f.to.Format(time.DateOnly)}, row.cells()...))
	}
	a.sendCSV(w, r, p, "monitoring", fmt.Sprintf("percorsi-indicatori-%s-%s-%s.csv", f.By, f.From, f.To), records)
}

// sendCSV downloads records as the file name; part names what the page
// says is wrong when it cannot.
func (a *App) sendCSV(w http.ResponseWriter, r *http.Request, p *page, part, name string, records [][]string) {
	var out bytes.Buffer
	if err := csv.NewWriter(&out).WriteAll(records); err != nil {
		a.fail(w, r, p, part, fmt.Errorf("%s CSV: %w", part, err))
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	_, _ = w.Write(out.Bytes())
}

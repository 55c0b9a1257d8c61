package pathway

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/percorsi/percorsi/pkg/auth"
	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/services/pathway/domain"
)

// MinCell is the smallest count monitoring shows: a cell counting fewer
// people could single one out, so it is suppressed.
const MinCell = 5

// Indicators are what monitoring counts, in the order reported: people
// taken in charge, enrolled (attended a course), certified (Italian A2 or
// above), qualified, placed, housed (own lease) and closed as autonomous.
var Indicators = []string{"taken_in_charge", "enrolled", "certified", "qualified", "placed", "housed", "autonomous_exits"}

// MonitoringRow is one group's counts; a nil count was suppressed.
type MonitoringRow struct {
	Group  string          `json:"group"`
	Counts map[string]*int `json:"counts"`
}

// Monitoring counts distinct people per indicator whose fact falls in
// [from, to), grouped by organisation or territory in charge, with every
// cell under MinCell suppressed. Nobody is ever named. Only a monitoring
// officer may ask. Errors: Invalid, Forbidden.
func (s *Service) Monitoring(ctx context.Context, by string, from, to time.Time) ([]MonitoringRow, error) {
	caller, ok := auth.From(ctx)
	if !ok || caller.Role != auth.Monitoring {
		return nil, errcode.New(errcode.Forbidden, "", "only a monitoring officer may read the indicators")
	}
	if by != "organisation" && by != "territory" {
		return nil, invalid("by", "must be organisation or territory")
	}
	if !to.After(from) {
		return nil, invalid("to", "must be after from")
	}
	persons, err := s.persons.All(ctx)
	if err != nil {
		return nil, err
	}
	entries, err := s.timeline.All(ctx)
	if err != nil {
		return nil, err
	}
	group := map[string]string{}
	people := map[string]map[string]map[string]bool{} // group -> indicator -> pseudonyms
	count := func(g, indicator, person string) {
		if people[g] == nil {
			people[g] = map[string]map[string]bool{}
		}
		if people[g][indicator] == nil {
			people[g][indicator] = map[string]bool{}
		}
		people[g][indicator][person] = true
	}
	in := func(t time.Time) bool { return !t.Before(from) && t.Before(to) }
	for _, p := range persons {
		g := p.Organisation
		if by == "territory" {
			g = p.Territory
		}
		if g == "" {
			g = "unknown"
		}
		group[p.Pseudonym] = g
		if in(p.Since) {
			count(g, "taken_in_charge", p.Pseudonym)
		}
		if c := p.Closed; c != nil && c.Reason == "autonomy_reached" && in(c.On) {
			count(g, "autonomous_exits", p.Pseudonym)
		}
	}
	for _, e := range entries {
		g, followed := group[e.Person]
		if !followed || !in(e.OccurredAt) {
			continue
		}
		switch {
		case e.Attendance != nil:
			count(g, "enrolled", e.Person)
		case e.Fact == nil:
		case e.Fact.Kind == domain.FactLevelAssessed && e.Fact.Detail == "italian_l2" &&
			domain.AtLeastCEFR(e.Fact.Level, s.rules.ItalianLevel):
			count(g, "certified", e.Person)
		case e.Fact.Kind == domain.FactQualificationAwarded:
			count(g, "qualified", e.Person)
		case e.Fact.Kind == domain.FactPlacementStarted:
			count(g, "placed", e.Person)
		case e.Fact.Kind == domain.FactLeaseSigned || (e.Fact.Kind == domain.FactHousingStepStarted && e.Fact.Level == "own_lease"):
			count(g, "housed", e.Person)
		}
	}
	var rows []MonitoringRow
	for g, byIndicator := range people {
		r := MonitoringRow{Group: g, Counts: map[string]*int{}}
		for _, ind := range Indicators {
			if n := len(byIndicator[ind]); n >= MinCell {
				r.Counts[ind] = &n
			} else {
				r.Counts[ind] = nil
			}
		}
		rows = append(rows, r)
	}
	slices.SortFunc(rows, func(a, b MonitoringRow) int { return strings.Compare(a.Group, b.Group) })
	return rows, nil
}

// MonitoringCSV writes rows as the CSV the Region and the national funder
// receive; a suppressed cell reads "<5".
func MonitoringCSV(by string, from, to time.Time, rows []MonitoringRow) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s,period_from,period_to,%s\n", by, strings.Join(Indicators, ","))
	for _, r := range rows {
		b.WriteString(csvField(r.Group))
		fmt.Fprintf(&b, ",%s,%s", from.Format(time.DateOnly), to.Format(time.DateOnly))
		for _, ind := range Indicators {
			if n := r.Counts[ind]; n != nil {
				fmt.Fprintf(&b, ",%d", *n)
			} else {
				fmt.Fprintf(&b, ",<%d", MinCell)
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

func csvField(s string) string {
	if strings.ContainsAny(s, ",\"\n") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

package domain

import (
	"slices"
)

// MinCell is the smallest count shown to monitoring: fewer people than this
// in a cell could be recognised, so the cell is suppressed.
const MinCell = 5

// Cell is one aggregate for monitoring. People is the number of people (or
// steps) behind it; Value is what it measures. A suppressed cell carries
// neither.
type Cell struct {
	Indicator  string // housed_now, exits, median_stay_days
	Group      string // a kind of step or a destination
	People     int
	Value      int
	Suppressed bool
}

// Indicators computes the outcome measures of the housing pathway from
// every step: people housed now by kind, exits by destination (how many
// reach permanent housing, how many return to homelessness) and the median
// length of stay by kind. Cells with fewer than MinCell people are
// suppressed.
func Indicators(steps []Step) []Cell {
	housed := map[string]int{}
	exits := map[string]int{}
	stays := map[string][]int{}
	for _, s := range steps {
		if s.Open() {
			housed[string(s.Kind)]++
			continue
		}
		stays[string(s.Kind)] = append(stays[string(s.Kind)], s.Days())
		if s.Reason != MovedOn && s.Reason != LeaseOfOwn {
			exits[string(s.Destination)]++
		}
	}
	var cells []Cell
	add := func(indicator string, counts map[string]int) {
		for _, g := range sortedKeys(counts) {
			cells = append(cells, cell(indicator, g, counts[g], counts[g]))
		}
	}
	add("housed_now", housed)
	add("exits", exits)
	for _, k := range sortedKeys(stays) {
		days := stays[k]
		slices.Sort(days)
		cells = append(cells, cell("median_stay_days", k, len(days), days[len(days)/2]))
	}
	return cells
}

func cell(indicator, group string, people, value int) Cell {
	if people < MinCell {
		return Cell{Indicator: indicator, Group: group, Suppressed: true}
	}
	return Cell{Indicator: indicator, Group: group, People: people, Value: value}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

package web

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/percorsi/percorsi/services/web/i18n"
)

// Charts are drawn on the server as inline SVG: no script to load, the
// same picture on every tablet, and a title and description that screen
// readers announce. Every chart has a table of the same figures beside it.

type chartTick struct {
	At    float64 // x or y, in chart coordinates
	Label string
}

type chartPoint struct {
	X, Y  float64
	Label string // what the point says when pointed at or read
}

// lineChart is a stepped line over time: the value holds until it changes.
type lineChart struct {
	ID, Title, Desc          string
	Width, Height            int
	Left, Right, Top, Bottom float64 // the plot area
	Path                     string
	Points                   []chartPoint
	XTicks, YTicks           []chartTick
}

// stagePoint is the autonomy stage and index from a moment on.
type stagePoint struct {
	At    time.Time
	Stage string
	Index float64
}

// autonomyChart draws the autonomy index from the first assessment to now;
// nil when there is none yet.
func autonomyChart(p *page, history []stagePoint, now time.Time, loc *time.Location) *lineChart {
	if len(history) == 0 {
		return nil
	}
	c := &lineChart{ID: "autonomy-chart", Width: 640, Height: 260, Left: 56, Right: 620, Top: 16, Bottom: 220}
	start, end := history[0].At, now
	if last := history[len(history)-1].At; !end.After(last) {
		end = last.Add(24 * time.Hour)
	}
	span := end.Sub(start).Seconds()
	x := func(t time.Time) float64 { return c.Left + (c.Right-c.Left)*t.Sub(start).Seconds()/span }
	y := func(v float64) float64 { return c.Bottom - (c.Bottom-c.Top)*v }
	var path strings.Builder
	for i, h := range history {
		px, py := x(h.At), y(h.Index)
		if i == 0 {
			fmt.Fprintf(&path, "M%.1f %.1f", px, py)
		} else {
			fmt.Fprintf(&path, " H%.1f V%.1f", px, py)
		}
		c.Points = append(c.Points, chartPoint{X: px, Y: py, Label: p.T("autonomy.point", i18n.ShortDate(p.Lang, h.At.In(loc)), p.T("stage."+h.Stage), share(h.Index))})
	}
	fmt.Fprintf(&path, " H%.1f", x(end))
	c.Path = path.String()
	for _, v := range []float64{0, .25, .5, .75, 1} {
		c.YTicks = append(c.YTicks, chartTick{At: y(v), Label: share(v)})
	}
	for _, t := range []time.Time{start, start.Add(end.Sub(start) / 2), end} {
		c.XTicks = append(c.XTicks, chartTick{At: x(t), Label: i18n.ShortDate(p.Lang, t.In(loc))})
	}
	first, last := history[0], history[len(history)-1]
	c.Title = p.T("autonomy.chart_title")
	c.Desc = p.T("autonomy.chart_desc", share(first.Index), i18n.ShortDate(p.Lang, first.At.In(loc)), share(last.Index), p.T("stage."+last.Stage), len(history))
	return c
}

// barChart is horizontal bars with their values written beside them; a
// suppressed value has no bar and says why.
type barChart struct {
	ID, Title, Desc    string
	Width, Height      int
	LabelWidth, BarMax float64
	Bars               []chartBar
}

type chartBar struct {
	Y, Width     float64
	Label, Value string
	Suppressed   bool
	TextX, TextY float64
}

// newBarChart lays bars of values (nil: suppressed) out against the
// largest one.
func newBarChart(id, title, desc string, labels []string, values []*int, suppressed string) *barChart {
	const row, labelWidth, barMax = 32.0, 230.0, 340.0
	c := &barChart{ID: id, Title: title, Desc: desc, Width: 640, Height: int(row*float64(len(labels))) + 8, LabelWidth: labelWidth, BarMax: barMax}
	peak := 1
	for _, v := range values {
		if v != nil && *v > peak {
			peak = *v
		}
	}
	for i, label := range labels {
		b := chartBar{Y: float64(i)*row + 4, Label: label, TextY: float64(i)*row + 4 + row/2}
		if v := values[i]; v != nil {
			b.Width = barMax * float64(*v) / float64(peak)
			b.Value = strconv.Itoa(*v)
		} else {
			b.Suppressed, b.Value = true, suppressed
		}
		b.TextX = labelWidth + b.Width + 8
		c.Bars = append(c.Bars, b)
	}
	return c
}

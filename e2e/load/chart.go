package load

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"strings"
)

// A chart of the run drawn with the standard library alone: panels of
// lines over time, labelled with a 3x5 pixel font scaled up.

var (
	white   = color.RGBA{255, 255, 255, 255}
	ink     = color.RGBA{40, 40, 40, 255}
	grid    = color.RGBA{225, 225, 225, 255}
	shade   = color.RGBA{240, 244, 250, 255}
	palette = []color.RGBA{
		{31, 119, 180, 255}, {255, 127, 14, 255}, {44, 160, 44, 255}, {214, 39, 40, 255},
		{148, 103, 189, 255}, {140, 86, 75, 255}, {227, 119, 194, 255}, {127, 127, 127, 255},
		{23, 190, 207, 255}, {188, 189, 34, 255},
	}
)

// line is one series of a panel: a value per step of the x axis.
type line struct {
	name   string
	values []float64
}

// panel is one chart: its title, the unit of its y axis, its lines, and
// the seconds one step of x stands for.
type panel struct {
	title, unit string
	lines       []line
	step        float64
	// window, in seconds from the first value, is shaded (the load's
	// span on the panels of the whole run); zero: none.
	window [2]float64
}

const (
	chartWidth  = 1000
	panelHeight = 300
	scale       = 2 // font pixels per glyph pixel
	margin      = 70
)

// drawChart writes the panels, one under the other, as a PNG.
func drawChart(w io.Writer, panels []panel) error {
	img := image.NewRGBA(image.Rect(0, 0, chartWidth, panelHeight*len(panels)))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for i, p := range panels {
		drawPanel(img, image.Rect(0, i*panelHeight, chartWidth, (i+1)*panelHeight), p)
	}
	return png.Encode(w, img)
}

func drawPanel(img *image.RGBA, r image.Rectangle, p panel) {
	plot := image.Rect(r.Min.X+margin, r.Min.Y+40, r.Max.X-230, r.Max.Y-40)
	text(img, r.Min.X+margin, r.Min.Y+12, p.title, ink)
	n, top := 0, 0.0
	for _, l := range p.lines {
		n = max(n, len(l.values))
		for _, v := range l.values {
			top = max(top, v)
		}
	}
	top = niceCeil(top)
	if w := p.window; w[1] > 0 && n > 1 {
		secs := float64(n-1) * p.step
		x0 := plot.Min.X + int(w[0]/secs*float64(plot.Dx()))
		x1 := plot.Min.X + int(min(w[1], secs)/secs*float64(plot.Dx()))
		for x := x0; x <= x1; x++ {
			vline(img, x, plot.Min.Y, plot.Max.Y, shade)
		}
		text(img, x0+4, plot.Min.Y+4, "load", ink)
	}
	for i := 0; i <= 4; i++ {
		y := plot.Max.Y - i*plot.Dy()/4
		hline(img, plot.Min.X, plot.Max.X, y, grid)
		label := formatTick(top * float64(i) / 4)
		text(img, plot.Min.X-8-len(label)*4*scale, y-5, label, ink)
	}
	text(img, plot.Min.X-60, plot.Min.Y-22, p.unit, ink)
	hline(img, plot.Min.X, plot.Max.X, plot.Max.Y, ink)
	vline(img, plot.Min.X, plot.Min.Y, plot.Max.Y, ink)
	if n > 1 {
		secs := float64(n-1) * p.step
		for i := 0; i <= 4; i++ {
			x := plot.Min.X + i*plot.Dx()/4
			vline(img, x, plot.Max.Y, plot.Max.Y+4, ink)
			label := fmt.Sprintf("%.0fS", secs*float64(i)/4)
			text(img, x-len(label)*2*scale, plot.Max.Y+10, label, ink)
		}
	}
	for li, l := range p.lines {
		c := palette[li%len(palette)]
		px := func(i int, v float64) image.Point {
			x := plot.Min.X
			if n > 1 {
				x += i * plot.Dx() / (n - 1)
			}
			y := plot.Max.Y
			if top > 0 {
				y -= int(v / top * float64(plot.Dy()))
			}
			return image.Pt(x, y)
		}
		for i := 1; i < len(l.values); i++ {
			segment(img, px(i-1, l.values[i-1]), px(i, l.values[i]), c)
		}
		ly := plot.Min.Y + li*22
		for d := range 3 {
			hline(img, plot.Max.X+15, plot.Max.X+35, ly+4+d, c)
		}
		text(img, plot.Max.X+42, ly, l.name, ink)
	}
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func formatTick(v float64) string {
	return fmt.Sprintf("%g", math.Round(v*100)/100)
}

func hline(img *image.RGBA, x0, x1, y int, c color.RGBA) {
	for x := x0; x <= x1; x++ {
		img.SetRGBA(x, y, c)
	}
}

func vline(img *image.RGBA, x, y0, y1 int, c color.RGBA) {
	for y := y0; y <= y1; y++ {
		img.SetRGBA(x, y, c)
	}
}

// segment draws a line two pixels thick (Bresenham).
func segment(img *image.RGBA, a, b image.Point, c color.RGBA) {
	dx, dy := abs(b.X-a.X), -abs(b.Y-a.Y)
	sx, sy := sign(b.X-a.X), sign(b.Y-a.Y)
	e := dx + dy
	for {
		img.SetRGBA(a.X, a.Y, c)
		img.SetRGBA(a.X, a.Y+1, c)
		if a == b {
			return
		}
		if e2 := 2 * e; e2 >= dy {
			e += dy
			a.X += sx
		} else {
			e += dx
			a.Y += sy
		}
	}
}

func abs(v int) int { return max(v, -v) }

func sign(v int) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// text writes s from (x, y) in the 3x5 font, upper case; characters it
// lacks are left blank.
func text(img *image.RGBA, x, y int, s string, c color.RGBA) {
	for _, r := range strings.ToUpper(s) {
		rows := strings.Fields(glyphs[r])
		for gy, row := range rows {
			for gx, bit := range row {
				if bit != '1' {
					continue
				}
				for i := range scale {
					for j := range scale {
						img.SetRGBA(x+gx*scale+i, y+gy*scale+j, c)
					}
				}
			}
		}
		x += 4 * scale
	}
}

// glyphs is a 3x5 pixel font: five rows of three pixels each.
var glyphs = map[rune]string{
	'A': "010 101 111 101 101", 'B': "110 101 110 101 110", 'C': "011 100 100 100 011", 'D': "110 101 101 101 110",
	'E': "111 100 110 100 111", 'F': "111 100 110 100 100", 'G': "011 100 101 101 011", 'H': "101 101 111 101 101",
	'I': "111 010 010 010 111", 'J': "001 001 001 101 010", 'K': "101 101 110 101 101", 'L': "100 100 100 100 111",
	'M': "101 111 111 101 101", 'N': "110 101 101 101 101", 'O': "010 101 101 101 010", 'P': "110 101 110 100 100",
	'Q': "010 101 101 110 011", 'R': "110 101 110 101 101", 'S': "011 100 010 001 110", 'T': "111 010 010 010 010",
	'U': "101 101 101 101 111", 'V': "101 101 101 101 010", 'W': "101 101 111 111 101", 'X': "101 101 010 101 101",
	'Y': "101 101 010 010 010", 'Z': "111 001 010 100 111",
	'0': "111 101 101 101 111", '1': "010 110 010 010 111", '2': "110 001 010 100 111", '3': "110 001 010 001 110",
	'4': "101 101 111 001 001", '5': "111 100 110 001 110", '6': "011 100 111 101 111", '7': "111 001 010 010 010",
	'8': "111 101 111 101 111", '9': "111 101 111 001 110",
	'.': "000 000 000 000 010", ',': "000 000 000 010 100", ':': "000 010 000 010 000", '-': "000 000 111 000 000",
	'+': "000 010 111 010 000", '/': "001 001 010 100 100", '(': "010 100 100 100 010", ')': "010 001 001 001 010",
	'%': "101 001 010 100 101", '=': "000 111 000 111 000",
}

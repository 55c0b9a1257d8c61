package load

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// clockTicks is the kernel's USER_HZ, in which /proc reports CPU time;
// 100 on every Linux architecture Go runs on.
const clockTicks = 100

// Sampler reads each part's resident memory and CPU time from /proc every
// second, and the whole machine's CPU, so that the report can say what
// each part used and what others running on the machine took.
type Sampler struct {
	start time.Time

	mu      sync.Mutex
	parts   []Part
	samples []Sample
}

// Sample is one reading.
type Sample struct {
	At time.Duration // since the sampler started
	// By part, in the order added; a part added later is missing from
	// the readings before it.
	RSS        []int64   // bytes
	CPU        []float64 // seconds used so far
	MachineCPU float64   // seconds of all CPUs busy so far, every process
	Cores      int
}

// NewSampler samples parts from start.
func NewSampler(parts []Part, start time.Time) *Sampler {
	return &Sampler{parts: slices.Clone(parts), start: start}
}

// Add samples p too from now on.
func (s *Sampler) Add(p Part) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.parts = append(s.parts, p)
}

// Parts returns the parts sampled, in the order added.
func (s *Sampler) Parts() []Part {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.parts)
}

// Run samples every second until ctx ends.
func (s *Sampler) Run(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		s.sample()
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (s *Sampler) sample() {
	parts := s.Parts()
	smp := Sample{At: time.Since(s.start), RSS: make([]int64, len(parts)), CPU: make([]float64, len(parts))}
	for i, p := range parts {
		smp.RSS[i], smp.CPU[i] = procUsage(p.PID)
	}
	smp.MachineCPU, smp.Cores = machineCPU()
	s.mu.Lock()
	s.samples = append(s.samples, smp)
	s.mu.Unlock()
}

// procUsage returns a process's resident memory and CPU seconds; zeros if
// it is gone.
func procUsage(pid int) (rss int64, cpu float64) {
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				rss = kb * 1024
			}
		}
	}
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		// The command name may hold spaces; the fields follow its ")".
		if i := bytes.LastIndexByte(b, ')'); i > 0 {
			f := strings.Fields(string(b[i+1:]))
			if len(f) > 12 {
				utime, _ := strconv.ParseFloat(f[11], 64)
				stime, _ := strconv.ParseFloat(f[12], 64)
				cpu = (utime + stime) / clockTicks
			}
		}
	}
	return rss, cpu
}

// machineCPU returns the seconds all CPUs were busy since boot and how
// many there are.
func machineCPU() (busy float64, cores int) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) > 8 && f[0] == "cpu":
			for i, v := range f[1:8] {
				if i == 3 || i == 4 { // idle, iowait
					continue
				}
				n, _ := strconv.ParseFloat(v, 64)
				busy += n / clockTicks
			}
		case len(f) > 0 && strings.HasPrefix(f[0], "cpu"):
			cores++
		}
	}
	return busy, cores
}

// Samples returns the readings so far.
func (s *Sampler) Samples() []Sample {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sample(nil), s.samples...)
}

// Usage is a part's use of the machine over a window.
type Usage struct {
	Name              string
	CPUSeconds, Cores float64 // cores: CPU seconds per second of the window
	RSSMean, RSSPeak  int64
}

// Window sums up each part's use between from and to, and the machine's
// (as the last Usage, named "whole machine"); every part must have been
// added by from.
func (s *Sampler) Window(from, to time.Duration) []Usage {
	parts := s.Parts()
	var in []Sample
	for _, smp := range s.Samples() {
		if smp.At >= from && smp.At <= to && len(smp.RSS) == len(parts) {
			in = append(in, smp)
		}
	}
	out := make([]Usage, len(parts)+1)
	for i, p := range parts {
		out[i].Name = p.Name
	}
	out[len(parts)].Name = "whole machine"
	if len(in) < 2 {
		return out
	}
	first, last := in[0], in[len(in)-1]
	secs := (last.At - first.At).Seconds()
	for i := range parts {
		u := &out[i]
		u.CPUSeconds = last.CPU[i] - first.CPU[i]
		u.Cores = u.CPUSeconds / secs
		var sum int64
		for _, smp := range in {
			sum += smp.RSS[i]
			u.RSSPeak = max(u.RSSPeak, smp.RSS[i])
		}
		u.RSSMean = sum / int64(len(in))
	}
	m := &out[len(parts)]
	m.CPUSeconds = last.MachineCPU - first.MachineCPU
	m.Cores = m.CPUSeconds / secs
	return out
}

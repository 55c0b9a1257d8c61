package load

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The services' own metrics the driver reads (pkg/outbox, pkg/kafkakit):
// how far the events of acknowledged facts are on their way.
const (
	metricBacklog   = "percorsi_outbox_backlog"          // pending events at the relay's last pass
	metricPublished = "percorsi_outbox_published_total"  // events the relay published
	metricLag       = "percorsi_consumer_lag"            // records behind, by partition
	metricConsumed  = "percorsi_consumer_messages_total" // by outcome
)

// metrics is one reading of a service's /metrics: each sample's value by
// its name and labels as written ("name{a=\"b\"}").
type metrics map[string]float64

// sum adds up the samples of name whose labels contain every one of with
// (`outcome="applied"`, say).
func (m metrics) sum(name string, with ...string) float64 {
	total := 0.0
	for k, v := range m {
		base, labels, _ := strings.Cut(k, "{")
		if base != name {
			continue
		}
		match := true
		for _, w := range with {
			match = match && strings.Contains(labels, w)
		}
		if match {
			total += v
		}
	}
	return total
}

// scrape reads the Prometheus text exposition of a service.
func scrape(ctx context.Context, client *http.Client, base string) (metrics, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("metrics of %s: %w", base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("metrics of %s: status %d", base, resp.StatusCode)
	}
	m := metrics{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		// The value follows the last space; label values may hold spaces.
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			return nil, fmt.Errorf("metrics of %s: %q: %w", base, line, err)
		}
		m[line[:i]] = v
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("metrics of %s: %w", base, err)
	}
	return m, nil
}

// inFlight is, over every service, the events pending in the outboxes and
// the records the consumers are behind, and how many events the relays
// published and the consumers applied so far, pathway's apart.
type inFlight struct {
	pending, behind, published, applied, timelines float64
}

func readInFlight(ctx context.Context, client *http.Client, t *Target) (inFlight, error) {
	var f inFlight
	for _, s := range Services {
		m, err := scrape(ctx, client, t.URLs[s])
		if err != nil {
			return f, err
		}
		f.pending += m.sum(metricBacklog)
		f.behind += m.sum(metricLag)
		f.published += m.sum(metricPublished)
		applied := m.sum(metricConsumed, `outcome="applied"`)
		f.applied += applied
		if s == "pathway" {
			f.timelines = applied
		}
	}
	return f, nil
}

// settle waits until the events already acknowledged reached their
// consumers: three readings a second apart with nothing pending in any
// outbox, no consumer behind and nothing newly applied (a relay may have
// just published what a consumer has not fetched yet). It returns how
// many messages the consumers had applied, and gives up after patience.
func settle(ctx context.Context, t *Target, patience time.Duration, progress func(string, ...any)) (applied int, err error) {
	client := &http.Client{}
	deadline := time.Now().Add(patience)
	var last inFlight
	quiet, lastProgress := 0, time.Now()
	for {
		f, err := readInFlight(ctx, client, t)
		switch {
		case err != nil:
			quiet = 0
			progress("waiting for the events in flight: %v", err)
		case f.pending == 0 && f.behind == 0 && f.applied == last.applied:
			quiet++
		default:
			quiet = 0
		}
		if quiet == 3 {
			return int(f.applied), nil
		}
		if time.Since(lastProgress) >= 10*time.Second {
			lastProgress = time.Now()
			progress("  events in flight: %.0f pending in the outboxes, consumers %.0f behind, %.0f applied", f.pending, f.behind, f.applied)
		}
		if time.Now().After(deadline) {
			return int(f.applied), fmt.Errorf("after %s, %.0f events still pending in the outboxes and the consumers %.0f behind", patience, f.pending, f.behind)
		}
		last = f
		select {
		case <-ctx.Done():
			return int(f.applied), ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

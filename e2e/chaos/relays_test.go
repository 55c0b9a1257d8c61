package chaos

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
)

// metrics reads the samples of the named metrics, without labels, from a
// replica's /metrics: percorsi_outbox_lease_held{service="courses"} 1 is
// read as percorsi_outbox_lease_held 1.
func metrics(ctx context.Context, client *http.Client, url string, names ...string) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s/metrics: status %d", url, resp.StatusCode)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		for _, n := range names {
			rest, ok := strings.CutPrefix(line, n)
			if !ok || rest == "" || (rest[0] != '{' && rest[0] != ' ') {
				continue
			}
			f, err := strconv.ParseFloat(rest[strings.LastIndexByte(rest, ' ')+1:], 64)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", line, err)
			}
			out[n] += f
		}
	}
	return out, sc.Err()
}

const (
	metricLeaseHeld = "percorsi_outbox_lease_held"
	metricPublished = "percorsi_outbox_published_total"
)

// relaySample is what one replica's /metrics said of its relay.
type relaySample struct {
	at        time.Time
	up        bool // it answered
	held      bool
	published float64
}

// relayWatch samples every replica's relay: which one holds the lease and
// how many events each has published.
type relayWatch struct {
	replicas map[string][]*service // by service

	mu      sync.Mutex
	samples map[string][]relaySample // by replica id
}

func (w *relayWatch) run(ctx context.Context, every time.Duration) {
	client := &http.Client{Timeout: time.Second}
	for pause(ctx, every) {
		var wg sync.WaitGroup
		for _, rs := range w.replicas {
			for _, s := range rs {
				wg.Go(func() {
					m, err := metrics(ctx, client, s.url, metricLeaseHeld, metricPublished)
					smp := relaySample{at: time.Now(), up: err == nil}
					if err == nil {
						smp.held, smp.published = m[metricLeaseHeld] == 1, m[metricPublished]
					}
					w.mu.Lock()
					w.samples[s.id] = append(w.samples[s.id], smp)
					w.mu.Unlock()
				})
			}
		}
		wg.Wait()
	}
}

// handover is how long after at a replica of service was first seen
// holding the lease again, and which: another than gone, or gone itself
// once restarted (a new process, so a new holder); zero if none was.
func (w *relayWatch) handover(service, gone string, at time.Time) (time.Duration, string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var first time.Time
	var who string
	for _, s := range w.replicas[service] {
		down := s.id == gone // until its first sample that did not answer
		for _, smp := range w.samples[s.id] {
			if !smp.at.After(at) {
				continue
			}
			if !smp.up {
				down = false
				continue
			}
			if smp.held && !down {
				if first.IsZero() || smp.at.Before(first) {
					first, who = smp.at, s.id
					if s.id == gone {
						who += " (restarted)"
					}
				}
				break
			}
		}
	}
	if first.IsZero() {
		return 0, ""
	}
	return first.Sub(at), who
}

// faultAt names the fault whose window holds t.
func faultAt(fs []*fault, t time.Time) string {
	for i, f := range fs {
		if !t.Before(f.start) && t.Before(f.next) {
			return fmt.Sprintf("fault %d", i+1)
		}
	}
	return "steady load"
}

// publishing is, for one service, what its replicas published: the events
// each published over the run (a restart's counter starts again at 0),
// and the sampling rounds in which more than one replica's count rose,
// that is two relays published within the same second.
type publishing struct {
	service string
	by      map[string]float64 // replica -> events published
	both    []time.Time        // rounds in which two or more published
}

func (w *relayWatch) publishing() []publishing {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []publishing
	for _, n := range serviceNames {
		p := publishing{service: n, by: map[string]float64{}}
		rounds := map[int]int{} // round -> replicas that published in it
		var at []time.Time
		for _, s := range w.replicas[n] {
			last := 0.0
			for i, smp := range w.samples[s.id] {
				if !smp.up {
					continue
				}
				d := smp.published - last
				if smp.published < last { // restarted
					d = smp.published
				}
				last = smp.published
				if i == 0 {
					continue
				}
				if d > 0 {
					p.by[s.id] += d
					rounds[i]++
					for len(at) <= i {
						at = append(at, time.Time{})
					}
					at[i] = smp.at
				}
			}
		}
		for i, k := range rounds {
			if k > 1 {
				p.both = append(p.both, at[i])
			}
		}
		out = append(out, p)
	}
	return out
}

// holder finds the replica of service whose relay holds the lease, by its
// /metrics, waiting up to within for one to.
func holder(ctx context.Context, replicas []*service, within time.Duration) (*service, error) {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(within)
	for {
		for _, s := range replicas {
			if m, err := metrics(ctx, client, s.url, metricLeaseHeld); err == nil && m[metricLeaseHeld] == 1 {
				return s, nil
			}
		}
		if time.Now().After(deadline) || !pause(ctx, 200*time.Millisecond) {
			return nil, fmt.Errorf("no replica of %s held the relay lease within %s", replicas[0].name, within)
		}
	}
}

// kafkaClient talks to the broker through its proxy, which it advertises.
func kafkaClient(broker string) *kafka.Client {
	return &kafka.Client{Addr: kafka.TCP(broker), Timeout: 10 * time.Second}
}

// endOffsets are the offsets past the last record of every partition of
// topics, by "topic/partition": what the broker acknowledged.
func endOffsets(ctx context.Context, broker string, topics []string) (map[string]int64, error) {
	c := kafkaClient(broker)
	md, err := c.Metadata(ctx, &kafka.MetadataRequest{Topics: topics})
	if err != nil {
		return nil, fmt.Errorf("metadata: %w", err)
	}
	req := &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{}}
	for _, t := range md.Topics {
		for _, p := range t.Partitions {
			req.Topics[t.Name] = append(req.Topics[t.Name], kafka.LastOffsetOf(p.ID))
		}
	}
	resp, err := c.ListOffsets(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("list offsets: %w", err)
	}
	out := map[string]int64{}
	for t, ps := range resp.Topics {
		for _, p := range ps {
			if p.Error != nil {
				return nil, fmt.Errorf("%s/%d: %w", t, p.Partition, p.Error)
			}
			out[fmt.Sprintf("%s/%d", t, p.Partition)] = p.LastOffset
		}
	}
	return out, nil
}

// lag is how many records of topics the consumer group has yet to commit.
func lag(ctx context.Context, broker, group string, topics []string) (int64, error) {
	end, err := endOffsets(ctx, broker, topics)
	if err != nil {
		return 0, err
	}
	req := &kafka.OffsetFetchRequest{GroupID: group, Topics: map[string][]int{}}
	for tp := range end {
		t, p, _ := strings.Cut(tp, "/")
		i, _ := strconv.Atoi(p)
		req.Topics[t] = append(req.Topics[t], i)
	}
	resp, err := kafkaClient(broker).OffsetFetch(ctx, req)
	if err != nil {
		return 0, fmt.Errorf("offset fetch: %w", err)
	}
	if resp.Error != nil {
		return 0, fmt.Errorf("offset fetch: %w", resp.Error)
	}
	var n int64
	for t, ps := range resp.Topics {
		for _, p := range ps {
			committed := max(p.CommittedOffset, 0)
			n += max(end[fmt.Sprintf("%s/%d", t, p.Partition)]-committed, 0)
		}
	}
	return n, nil
}

// lagWatch samples the consumer groups' lag.
type lagWatch struct {
	broker string
	groups map[string][]string // group -> topics it consumes

	mu      sync.Mutex
	samples map[string][]sample // by group
}

func (l *lagWatch) run(ctx context.Context, every time.Duration) {
	for pause(ctx, every) {
		for g, topics := range l.groups {
			c, cancel := context.WithTimeout(ctx, 5*time.Second)
			n, err := lag(c, l.broker, g, topics)
			cancel()
			if err != nil {
				continue
			}
			l.mu.Lock()
			l.samples[g] = append(l.samples[g], sample{time.Now(), n})
			l.mu.Unlock()
		}
	}
}

// peak is the group's largest lag in [from, to).
func (l *lagWatch) peak(group string, from, to time.Time) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	var p int64
	for _, s := range l.samples[group] {
		if !s.at.Before(from) && s.at.Before(to) {
			p = max(p, s.pending)
		}
	}
	return p
}

// replayedHeader marks the copies replay publishes.
const replayedHeader = "chaos-replayed"

// copies is what the topics hold: records, distinct event ids, and the
// records beyond the first of each event id, by topic; the replay's
// copies apart.
type copies struct {
	topic                     string
	records, events, replayed int
	duplicates                int            // published again by a relay
	most                      int            // the most copies of one event
	perEvent                  map[string]int // event id -> copies by the relays
}

// count reads every record of topics and counts the copies of each event.
func count(ctx context.Context, broker string, topics []string) ([]copies, error) {
	end, err := endOffsets(ctx, broker, topics)
	if err != nil {
		return nil, err
	}
	byTopic := map[string]*copies{}
	for _, t := range topics {
		byTopic[t] = &copies{topic: t, perEvent: map[string]int{}}
	}
	for tp, last := range end {
		t, p, _ := strings.Cut(tp, "/")
		partition, _ := strconv.Atoi(p)
		if last == 0 {
			continue
		}
		c := byTopic[t]
		r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{broker}, Topic: t, Partition: partition, MinBytes: 1, MaxBytes: 10 << 20, MaxWait: 100 * time.Millisecond})
		if err := r.SetOffset(kafka.FirstOffset); err != nil {
			r.Close()
			return nil, err
		}
		for {
			rc, cancel := context.WithTimeout(ctx, 30*time.Second)
			m, err := r.ReadMessage(rc)
			cancel()
			if err != nil {
				r.Close()
				return nil, fmt.Errorf("read %s: %w", tp, err)
			}
			c.records++
			var id string
			replayed := false
			for _, h := range m.Headers {
				switch h.Key {
				case "event-id":
					id = string(h.Value)
				case replayedHeader:
					replayed = true
				}
			}
			if replayed {
				c.replayed++
			} else {
				c.perEvent[id]++
			}
			if m.Offset >= last-1 {
				break
			}
		}
		r.Close()
	}
	var out []copies
	for _, t := range topics {
		c := byTopic[t]
		c.events = len(c.perEvent)
		for _, n := range c.perEvent {
			c.duplicates += n - 1
			c.most = max(c.most, n)
		}
		out = append(out, *c)
	}
	return out, nil
}

// replay publishes again the first perPartition records of every
// partition of topics, with their keys, values and headers (and so their
// event ids), each to its own partition: the same events delivered again
// long after, as a topic restored from a backup or a producer replaying
// its log would. It returns how many it published.
func replay(ctx context.Context, broker string, topics []string, perPartition int64) (int, error) {
	end, err := endOffsets(ctx, broker, topics)
	if err != nil {
		return 0, err
	}
	w := &kafka.Writer{
		Addr:         kafka.TCP(broker),
		Balancer:     kafka.BalancerFunc(func(m kafka.Message, _ ...int) int { return m.Partition }),
		RequiredAcks: kafka.RequireAll,
		BatchTimeout: 5 * time.Millisecond,
	}
	defer w.Close()
	n := 0
	for tp, last := range end {
		t, p, _ := strings.Cut(tp, "/")
		partition, _ := strconv.Atoi(p)
		upTo := min(last, perPartition)
		if upTo == 0 {
			continue
		}
		r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{broker}, Topic: t, Partition: partition, MinBytes: 1, MaxBytes: 10 << 20, MaxWait: 100 * time.Millisecond})
		if err := r.SetOffset(kafka.FirstOffset); err != nil {
			r.Close()
			return n, err
		}
		var msgs []kafka.Message
		for {
			rc, cancel := context.WithTimeout(ctx, 30*time.Second)
			m, err := r.ReadMessage(rc)
			cancel()
			if err != nil {
				r.Close()
				return n, fmt.Errorf("read %s: %w", tp, err)
			}
			if m.Offset >= upTo {
				break
			}
			// The copy keeps the event id; the mark only lets the count
			// of duplicates the relays published leave it out.
			h := append(append([]kafka.Header(nil), m.Headers...), kafka.Header{Key: replayedHeader, Value: []byte("1")})
			msgs = append(msgs, kafka.Message{Partition: partition, Key: m.Key, Value: m.Value, Headers: h})
			if m.Offset == upTo-1 {
				break
			}
		}
		r.Close()
		for i := range msgs {
			msgs[i].Topic = t
		}
		if err := w.WriteMessages(ctx, msgs...); err != nil {
			return n, fmt.Errorf("publish %s again: %w", tp, err)
		}
		n += len(msgs)
	}
	return n, nil
}

package pathway

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/percorsi/percorsi/pkg/errcode"
	"github.com/percorsi/percorsi/pkg/kafkakit"
	"github.com/percorsi/percorsi/services/pathway/domain"
)

// Progress reports how many of the records to replay were read.
type Progress func(done, total int64)

// Replay rebuilds pathway's read models (the timelines, and with them the
// autonomy and the monitoring counts computed from them) from every
// consumed topic from its first record up to its end when the replay
// started. The live consumer may keep running: adding is idempotent by
// event id. Records that cannot be decoded are skipped, as they were
// dead-lettered when first consumed. Alerts are not raised again: they are
// decisions kept with the person, and their ids make a re-check a no-op.
func (a *App) Replay(ctx context.Context, progress Progress) (int64, error) {
	parts, total, err := partitions(ctx, a.Kafka, Consumed)
	if err != nil {
		return 0, err
	}
	if err := a.Timeline.Reset(ctx); err != nil {
		return 0, err
	}
	var done int64
	report := func() {
		if progress != nil {
			progress(done, total)
		}
	}
	report()
	for _, p := range parts {
		if p.last <= p.first {
			continue
		}
		n, err := a.replayPartition(ctx, p, func(k int64) { done += k; report() })
		if err != nil {
			return done, fmt.Errorf("replay %s/%d after %d records: %w", p.topic, p.partition, n, err)
		}
	}
	return done, nil
}

type partitionRange struct {
	topic       string
	partition   int
	first, last int64 // last is the offset after the last record
}

// partitions reads where each partition of topics starts and ends,
// authenticating as the cluster asks (SASL/SCRAM in production).
func partitions(ctx context.Context, cluster kafkakit.Cluster, topics []string) ([]partitionRange, int64, error) {
	d := cluster.Dialer()
	conn, err := d.DialContext(ctx, "tcp", cluster.Brokers[0])
	if err != nil {
		return nil, 0, fmt.Errorf("replay: dial: %w", err)
	}
	defer conn.Close()
	ps, err := conn.ReadPartitions(topics...)
	if err != nil {
		return nil, 0, fmt.Errorf("replay: partitions: %w", err)
	}
	var out []partitionRange
	var total int64
	for _, p := range ps {
		leader, err := d.DialLeader(ctx, "tcp", net.JoinHostPort(p.Leader.Host, strconv.Itoa(p.Leader.Port)), p.Topic, p.ID)
		if err != nil {
			return nil, 0, fmt.Errorf("replay: leader of %s/%d: %w", p.Topic, p.ID, err)
		}
		first, last, err := leader.ReadOffsets()
		leader.Close()
		if err != nil {
			return nil, 0, fmt.Errorf("replay: offsets of %s/%d: %w", p.Topic, p.ID, err)
		}
		out = append(out, partitionRange{p.Topic, p.ID, first, last})
		total += last - first
	}
	return out, total, nil
}

func (a *App) replayPartition(ctx context.Context, p partitionRange, read func(int64)) (int64, error) {
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: a.Kafka.Brokers, Dialer: a.Kafka.Dialer(), Topic: p.topic, Partition: p.partition,
		MinBytes: 1, MaxBytes: 10 << 20, MaxWait: 100 * time.Millisecond})
	defer r.Close()
	if err := r.SetOffset(p.first); err != nil {
		return 0, err
	}
	var n int64
	var batch []*domain.Entry
	flush := func() error {
		if err := a.Service.record(ctx, batch); err != nil {
			return err
		}
		read(int64(len(batch)))
		batch = batch[:0]
		return nil
	}
	for next := p.first; next < p.last; {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			return n, err
		}
		next, n = m.Offset+1, n+1
		req, err := DecodeEvent(ctx, m)
		var bad *errcode.Error
		switch {
		case errors.As(err, &bad):
			read(1) // dead-lettered when first consumed
			continue
		case err != nil:
			return n, err
		}
		if e := req.(RecordRequest).Entry; e != nil {
			batch = append(batch, e)
		} else {
			read(1)
		}
		if len(batch) >= 500 {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	return n, flush()
}

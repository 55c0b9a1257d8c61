package e2e

import (
	"math/rand/v2"
	"testing"
	"time"
)

// While registers stream in, the relay and the consumer are stopped and
// restarted at random points (mid-publish, mid-batch) many times, and the
// broker is taken away for a while. Afterwards every acknowledged mark is
// on its person's timeline exactly once, and the relay's backlog is empty.
func TestFaultsLoseNothingAndCountNothingTwice(t *testing.T) {
	if testing.Short() {
		t.Skip("fault injection runs for tens of seconds")
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed))
	r := newRig(t, shape{classes: 6, people: 8, lessons: 15})

	relay := startWorker(r.courses.Relay.Run)
	sub := startWorker(r.pathway.Subscriber().Run)
	acked := make(chan int)
	go func() { acked <- r.submitAll(t, 3) }()

	// Chaos while the registers stream in and for a while after, when the
	// relay and the consumer are still catching up.
	var restarts, outages int
	for round, streaming := 0, true; streaming || round < 40; round++ {
		select {
		case n := <-acked:
			if n != r.classes*r.lessons {
				t.Fatalf("%d registers acknowledged, want %d", n, r.classes*r.lessons)
			}
			streaming = false
		case <-time.After(time.Duration(10+rng.IntN(150)) * time.Millisecond):
		}
		switch k := rng.IntN(10); {
		case k < 4:
			relay.stop(t)
			relay = startWorker(r.courses.Relay.Run)
			restarts++
		case k < 8:
			sub.stop(t)
			sub = startWorker(r.pathway.Subscriber().Run)
			restarts++
		case k == 8 && outages < 2:
			r.stack.StopKafka()
			time.Sleep(time.Duration(500+rng.IntN(1500)) * time.Millisecond)
			if err := r.stack.StartKafka(); err != nil {
				t.Fatal(err)
			}
			outages++
		}
	}
	if outages == 0 { // the dice were kind: take the broker away once anyway
		r.stack.StopKafka()
		time.Sleep(time.Second)
		if err := r.stack.StartKafka(); err != nil {
			t.Fatal(err)
		}
		outages++
	}
	t.Logf("%d restarts of the relay or the consumer, %d broker outages", restarts, outages)

	r.waitTimeline(t, int64(r.classes*r.people*r.lessons), 3*time.Minute)
	for deadline := time.Now().Add(time.Minute); r.pendingRegisters(t) > 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the relay's backlog did not drain: %d registers pending", r.pendingRegisters(t))
		}
	}
	relay.stop(t)
	sub.stop(t)
	r.checkTimelines(t)
}

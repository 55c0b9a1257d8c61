package signin

import (
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	t.Parallel()
	l := NewLimiter(3, time.Minute)
	now := time.Now()
	for range 3 {
		if blocked, _ := l.Blocked("k", now); blocked {
			t.Fatal("blocked before the limit")
		}
		l.Fail("k", now)
	}
	if blocked, wait := l.Blocked("k", now.Add(10*time.Second)); !blocked || wait != 50*time.Second {
		t.Errorf("after 3 failures: blocked %v for %v, want true for 50s", blocked, wait)
	}
	if blocked, _ := l.Blocked("other", now); blocked {
		t.Error("another key is blocked")
	}
	if blocked, _ := l.Blocked("k", now.Add(time.Minute)); blocked {
		t.Error("still blocked after the window")
	}
	l.Reset("k")
	if blocked, _ := l.Blocked("k", now); blocked {
		t.Error("blocked after reset")
	}
}

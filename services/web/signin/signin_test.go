package signin

import (
	"net/http"
	"net/http/httptest"
	"strings"
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

func TestClientAddress(t *testing.T) {
	t.Parallel()
	proxies, err := ParseProxies([]string{"10.0.0.0/8", " 192.168.1.4 ", ""})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		peer, xff, want string
	}{
		{"203.0.113.7:5000", "", "203.0.113.7"},
		{"203.0.113.7:5000", "198.51.100.9", "203.0.113.7"},                     // not a proxy: its header is not believed
		{"10.1.2.3:5000", "198.51.100.9", "198.51.100.9"},                       // the ingress
		{"10.1.2.3:5000", "6.6.6.6, 198.51.100.9, 192.168.1.4", "198.51.100.9"}, // a forged first hop is passed over
		{"10.1.2.3:5000", "", "10.1.2.3"},
		{"[::ffff:10.1.2.3]:5000", "198.51.100.9", "198.51.100.9"},
	} {
		r := httptest.NewRequest(http.MethodPost, "/signin", nil)
		r.RemoteAddr = tt.peer
		if tt.xff != "" {
			r.Header.Set("X-Forwarded-For", tt.xff)
		}
		if got := ClientAddress(r, proxies); got != tt.want {
			t.Errorf("peer %s, X-Forwarded-For %q: %s, want %s", tt.peer, tt.xff, got, tt.want)
		}
	}
	if _, err := ParseProxies([]string{"ingress"}); err == nil || !strings.Contains(err.Error(), "TRUSTED_PROXIES") {
		t.Errorf("a bad range: %v", err)
	}
}

func TestDeviceToken(t *testing.T) {
	t.Parallel()
	key := []byte("a key of thirty-two bytes or more!")
	tok := DeviceToken(key, "Maria.Rossi")
	if !IsDevice(key, "maria.rossi", tok) || IsDevice(key, "giulia.bianchi", tok) || IsDevice([]byte("another key of thirty-two bytes!!"), "maria.rossi", tok) || IsDevice(key, "maria.rossi", "") {
		t.Fatal("a device token proves one user name under one key")
	}
}

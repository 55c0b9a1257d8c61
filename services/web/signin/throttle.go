package signin

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ParseProxies reads the address ranges of the proxies in front of web
// (the ingress), whose X-Forwarded-For is believed: "10.0.0.0/8,192.168.1.4".
func ParseProxies(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !strings.Contains(s, "/") {
			a, err := netip.ParseAddr(s)
			if err != nil {
				return nil, fmt.Errorf("TRUSTED_PROXIES: %q is not an address or a range", s)
			}
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("TRUSTED_PROXIES: %q is not an address or a range", s)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// ClientAddress is the address of the person at the keyboard: the peer of
// the connection, or, when the peer is a trusted proxy, the last address
// X-Forwarded-For names that is not itself one. Behind an ingress every
// peer is the ingress: counting failures by peer would lock out everyone
// at once.
func ClientAddress(r *http.Request, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if !isTrusted(host, trusted) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop := strings.TrimSpace(hops[i])
		if hop != "" && !isTrusted(hop, trusted) {
			return hop
		}
	}
	return host
}

func isTrusted(addr string, trusted []netip.Prefix) bool {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// DeviceToken is the value of the cookie that says a browser signed in as
// username before, keyed by the server's key. With it, the browser of the
// real user still signs in while guesses at her password from elsewhere
// have blocked her user name.
func DeviceToken(key []byte, username string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("device\x00" + strings.ToLower(username)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// IsDevice says whether token is username's device token.
func IsDevice(key []byte, username, token string) bool {
	return SameToken(token, DeviceToken(key, username))
}

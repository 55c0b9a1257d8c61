package chaos

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// balancer stands in front of a service's replicas as a Kubernetes
// Service with readiness probes and an ingress would: each call goes to
// the next ready replica in turn; a replica whose /healthz fails twice in
// a row (killed, paused) is taken out until it answers again; a call
// whose connection is refused (the replica died since the last probe) is
// sent to the next replica, as nginx's proxy_next_upstream does, since it
// never reached one. A call cut after it was sent is not sent again: the
// caller gets a 502 and decides, as a user retrying would. With no replica
// to send it to, the answer is 503 with Retry-After, as an ingress with no
// endpoints answers.
type balancer struct {
	name     string
	replicas []*service
	url      string
	grpc     string // where the gRPC connections to its replicas are balanced
	grpcLn   net.Listener
	srv      *http.Server
	client   *http.Transport
	next     atomic.Uint64

	mu    sync.Mutex
	fails map[*service]int // consecutive failed probes
}

// Probe timing, as a readiness probe's periodSeconds, timeoutSeconds and
// failureThreshold (in Kubernetes' units, 1, 1 and 2).
const (
	probeEvery   = 500 * time.Millisecond
	probeTimeout = time.Second
	probeFails   = 2
	// tryTimeout bounds the wait for a replica's answer: below the
	// users' callTimeout, so that a call to a replica paused after the
	// last probe is answered 504, as an ingress's read timeout does,
	// rather than left hanging; above anything a running replica takes
	// (storeBound per store operation).
	tryTimeout = 25 * time.Second
)

func newBalancer(name string, replicas []*service) (*balancer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	b := &balancer{
		name: name, replicas: replicas, url: "http://" + ln.Addr().String(), fails: map[*service]int{},
		client: &http.Transport{
			DialContext:           (&net.Dialer{Timeout: 2 * time.Second}).DialContext,
			ResponseHeaderTimeout: tryTimeout,
			MaxIdleConnsPerHost:   32,
		},
	}
	b.srv = &http.Server{Handler: b, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = b.srv.Serve(ln) }()
	if replicas[0].grpc != "" {
		if b.grpcLn, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			b.close()
			return nil, err
		}
		b.grpc = b.grpcLn.Addr().String()
		go b.serveGRPC()
	}
	return b, nil
}

// serveGRPC balances gRPC as a Kubernetes Service does, by connection:
// each goes to the next ready replica and stays with it until either end
// closes it (a replica killed, paused past the client's keepalive);
// then the client connects again, to a replica that answers.
func (b *balancer) serveGRPC() {
	for {
		in, err := b.grpcLn.Accept()
		if err != nil {
			return
		}
		go func() {
			defer in.Close()
			for _, s := range b.order() {
				out, err := net.DialTimeout("tcp", s.grpc, 2*time.Second)
				if err != nil {
					continue
				}
				defer out.Close()
				go func() {
					_, _ = io.Copy(out, in)
					out.Close()
				}()
				_, _ = io.Copy(in, out)
				return
			}
		}()
	}
}

func (b *balancer) close() {
	if b.grpcLn != nil {
		_ = b.grpcLn.Close()
	}
	_ = b.srv.Close()
	b.client.CloseIdleConnections()
}

// probe checks every replica's /healthz every probeEvery until ctx ends.
func (b *balancer) probe(ctx context.Context) {
	client := &http.Client{Timeout: probeTimeout}
	for pause(ctx, probeEvery) {
		var wg sync.WaitGroup
		for _, s := range b.replicas {
			wg.Go(func() {
				ok := false
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.url+"/healthz", nil)
				if resp, err := client.Do(req); err == nil {
					resp.Body.Close()
					ok = resp.StatusCode == http.StatusOK
				}
				b.mu.Lock()
				if ok {
					b.fails[s] = 0
				} else {
					b.fails[s]++
				}
				b.mu.Unlock()
			})
		}
		wg.Wait()
	}
}

// order is the replicas to try for one call: the ready ones from the next
// in turn, or, if none is ready, every one.
func (b *balancer) order() []*service {
	n := len(b.replicas)
	first := int(b.next.Add(1) % uint64(n))
	b.mu.Lock()
	defer b.mu.Unlock()
	var ready, all []*service
	for i := range n {
		s := b.replicas[(first+i)%n]
		all = append(all, s)
		if b.fails[s] < probeFails {
			ready = append(ready, s)
		}
	}
	if len(ready) == 0 {
		return all
	}
	return ready
}

func (b *balancer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "reading the request", http.StatusBadRequest)
		return
	}
	for _, s := range b.order() {
		req := r.Clone(r.Context())
		req.RequestURI = ""
		req.URL.Scheme, req.URL.Host = "http", s.url[len("http://"):]
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.ContentLength = int64(len(body))
		resp, err := b.client.RoundTrip(req)
		if err != nil {
			var op *net.OpError
			if errors.As(err, &op) && op.Op == "dial" {
				continue // never reached the replica: the next one
			}
			status := http.StatusBadGateway
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				status = http.StatusGatewayTimeout
			}
			http.Error(w, "replica "+s.id+": "+err.Error(), status)
			return
		}
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
		resp.Body.Close()
		return
	}
	w.Header().Set("Retry-After", "1")
	http.Error(w, "no replica of "+b.name+" answers", http.StatusServiceUnavailable)
}

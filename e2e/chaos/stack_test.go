package chaos

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"sync"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/percorsi/percorsi/pkg/devstack"
)

// broker is the run's embedded Kafka. It listens on its own port but
// advertises the address of the proxy in front of it: a Kafka client dials
// the addresses the broker advertises, so without this only the bootstrap
// connection would pass through the proxy the network faults act on.
type broker struct {
	dir        string
	port       int    // where kfake listens
	advertised string // host:port of the proxy
	topics     []string

	mu sync.Mutex
	c  *kfake.Cluster
}

// start (re)starts the broker on the same port and data directory, with
// the options pkg/devstack uses: synced writes, so an acknowledged produce
// survives the broker going away.
func (b *broker) start() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.c != nil {
		return nil
	}
	adv, err := net.ResolveTCPAddr("tcp", b.advertised)
	if err != nil {
		return fmt.Errorf("broker: advertised address: %w", err)
	}
	c, err := kfake.NewCluster(
		kfake.NumBrokers(1),
		kfake.Ports(b.port),
		kfake.DataDir(b.dir),
		kfake.SyncWrites(),
		kfake.DefaultNumPartitions(6),
		kfake.SeedTopics(6, b.topics...),
		kfake.ListenFn(func(network, addr string) (net.Listener, error) {
			ln, err := net.Listen(network, addr)
			if err != nil {
				return nil, err
			}
			return advertising{ln, adv}, nil
		}),
	)
	if err != nil {
		return fmt.Errorf("broker: start: %w", err)
	}
	b.c = c
	return nil
}

// stop takes the broker away; its data stays on disk for start.
func (b *broker) stop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.c != nil {
		b.c.Close()
		b.c = nil
	}
}

// advertising is a listener that reports another address as its own.
type advertising struct {
	net.Listener
	addr net.Addr
}

func (l advertising) Addr() net.Addr { return l.addr }

// proxies are toxiproxy proxies run in this process: one in front of the
// broker, shared by every service (the broker advertises one address), and
// one per service in front of the store, so that one service's link to the
// store can be slowed or cut alone.
type proxies struct {
	srv *toxiproxy.ApiServer
	all []*toxiproxy.Proxy
}

func newProxies() *proxies {
	return &proxies{srv: toxiproxy.NewServer(toxiproxy.NewMetricsContainer(prometheus.NewRegistry()), zerolog.Nop())}
}

// add starts a proxy to upstream on listen ("127.0.0.1:0" for any port).
func (ps *proxies) add(name, listen, upstream string) (*toxiproxy.Proxy, error) {
	p := toxiproxy.NewProxy(ps.srv, name, listen, upstream)
	if err := p.Start(); err != nil {
		return nil, fmt.Errorf("proxy %s: %w", name, err)
	}
	ps.all = append(ps.all, p)
	return p, nil
}

// Toxics added by the faults; each proxy carries at most one at a time.
const (
	toxicLatency   = "latency"
	toxicBlackhole = "blackhole"
)

// slow delays every reply on p by ms, give or take jitter.
func slow(p *toxiproxy.Proxy, ms, jitter int) error {
	_, err := p.Toxics.AddToxicJson(strings.NewReader(fmt.Sprintf(
		`{"name":%q,"type":"latency","stream":"downstream","attributes":{"latency":%d,"jitter":%d}}`, toxicLatency, ms, jitter)))
	return err
}

// blackhole drops every byte sent through p and never closes a
// connection, as a network partition does: callers learn of it only
// through their own timeouts. Removing it closes the connections it held.
func blackhole(p *toxiproxy.Proxy) error {
	_, err := p.Toxics.AddToxicJson(strings.NewReader(fmt.Sprintf(
		`{"name":%q,"type":"timeout","stream":"upstream","attributes":{"timeout":0}}`, toxicBlackhole)))
	return err
}

func heal(p *toxiproxy.Proxy, toxic string) error {
	return p.Toxics.RemoveToxic(context.Background(), toxic)
}

// freePort returns a loopback port nobody listens on now.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// stack is the embedded store and broker with the proxies in front.
type stack struct {
	store       *devstack.Stack // FerretDB; its own Kafka is not used
	broker      *broker
	brokerProxy *toxiproxy.Proxy
	proxies     *proxies
	storeAddr   string // host:port of FerretDB itself
}

func startStack(ctx context.Context, dir string, topics []string) (*stack, error) {
	store, err := devstack.Start(ctx, devstack.Config{Dir: filepath.Join(dir, "store")})
	if err != nil {
		return nil, err
	}
	// devstack's broker advertises its own port, which would bypass the
	// proxy: the run has its own.
	store.StopKafka()
	s := &stack{store: store, proxies: newProxies()}
	s.storeAddr = strings.TrimSuffix(strings.TrimPrefix(store.MongoURI(), "mongodb://"), "/")
	kport, err := freePort()
	if err != nil {
		store.Close()
		return nil, err
	}
	upstream := fmt.Sprintf("127.0.0.1:%d", kport)
	if s.brokerProxy, err = s.proxies.add("broker", "127.0.0.1:0", upstream); err != nil {
		store.Close()
		return nil, err
	}
	s.broker = &broker{dir: filepath.Join(dir, "kafka"), port: kport, advertised: s.brokerProxy.Listen, topics: topics}
	if err := s.broker.start(); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// storeProxy starts a proxy to the store for one service and returns it
// with the connection string that goes through it.
func (s *stack) storeProxy(service string) (*toxiproxy.Proxy, string, error) {
	p, err := s.proxies.add("store-"+service, "127.0.0.1:0", s.storeAddr)
	if err != nil {
		return nil, "", err
	}
	// directConnection: the store is one server; the driver must not
	// look for the address it reports for itself.
	return p, "mongodb://" + p.Listen + "/?directConnection=true", nil
}

func (s *stack) close() {
	for _, p := range s.proxies.all {
		p.Stop()
	}
	s.broker.stop()
	s.store.Close()
}

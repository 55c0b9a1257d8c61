package chaos

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/percorsi/percorsi/pkg/devstack"
)

// part is a part of the embedded stack, the broker or the store, run as a
// process of its own (this test binary again, in TestStackPart) so that it
// can be killed and paused as the services are, and started again on its
// data. A Kafka client dials the addresses the broker advertises, so the
// broker listens on its own port but advertises the proxy in front of it:
// otherwise only the bootstrap connection would pass through the proxy the
// network faults act on.
type part struct {
	name string   // broker, store
	addr string   // host:port it listens on, dialled to know it is up
	port int      // of addr, held by freePort until the first start
	env  []string // CHAOS_PART_*
	logs string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
}

// start (re)starts the part on the same port and data directory and
// returns once it accepts connections.
func (p *part) start() error {
	p.mu.Lock()
	if p.cmd != nil {
		p.mu.Unlock()
		return nil
	}
	logs, err := os.OpenFile(p.logs, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		p.mu.Unlock()
		return err
	}
	release(p.port)
	cmd := exec.Command(os.Args[0], "-test.run=^TestStackPart$", "-test.timeout=0", "-test.count=1")
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "CHAOS_PART=" + p.name}, p.env...)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		p.mu.Unlock()
		logs.Close()
		return fmt.Errorf("start the %s: %w", p.name, err)
	}
	done := make(chan struct{})
	p.cmd, p.done = cmd, done
	p.mu.Unlock()
	go func() {
		_ = cmd.Wait()
		logs.Close()
		p.mu.Lock()
		p.cmd = nil
		p.mu.Unlock()
		close(done)
	}()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		if c, err := net.DialTimeout("tcp", p.addr, time.Second); err == nil {
			c.Close()
			return nil
		}
		select {
		case <-done:
			return fmt.Errorf("the %s exited at start (logs: %s)", p.name, p.logs)
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the %s did not listen within a minute (logs: %s)", p.name, p.logs)
		}
	}
}

// stop takes the part away gracefully; its data stays on disk for start.
func (p *part) stop() { p.end(syscall.SIGTERM) }

// kill crashes the part: SIGKILL, nothing flushed that was not already.
func (p *part) kill() { p.end(syscall.SIGKILL) }

func (p *part) end(sig syscall.Signal) {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGCONT)
	_ = cmd.Process.Signal(sig)
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

// signal sends sig to the part: SIGSTOP pauses it, SIGCONT lets it run on.
func (p *part) signal(sig syscall.Signal) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return fmt.Errorf("the %s is not running", p.name)
	}
	return p.cmd.Process.Signal(sig)
}

// TestStackPart is not a test: TestChaos starts this binary again with
// CHAOS_PART set to run one part of the embedded stack in a process of its
// own, until SIGTERM.
func TestStackPart(t *testing.T) {
	name := os.Getenv("CHAOS_PART")
	if name == "" {
		t.Skip("a part of the chaos run's embedded stack: TestChaos starts it in a process of its own")
	}
	ctx, stop := signal.NotifyContext(t.Context(), syscall.SIGTERM)
	defer stop()
	port, err := strconv.Atoi(os.Getenv("CHAOS_PART_PORT"))
	if err != nil {
		t.Fatal(err)
	}
	dir := os.Getenv("CHAOS_PART_DIR")
	switch name {
	case "broker":
		adv, err := net.ResolveTCPAddr("tcp", os.Getenv("CHAOS_PART_ADVERTISED"))
		if err != nil {
			t.Fatalf("broker: advertised address: %v", err)
		}
		// The options pkg/devstack uses: synced writes, so that an
		// acknowledged produce survives the process's death.
		c, err := kfake.NewCluster(
			kfake.NumBrokers(1),
			kfake.Ports(port),
			kfake.DataDir(dir),
			kfake.SyncWrites(),
			kfake.DefaultNumPartitions(6),
			kfake.SeedTopics(6, strings.Split(os.Getenv("CHAOS_PART_TOPICS"), ",")...),
			kfake.ListenFn(func(network, addr string) (net.Listener, error) {
				ln, err := net.Listen(network, addr)
				if err != nil {
					return nil, err
				}
				return advertising{ln, adv}, nil
			}),
		)
		if err != nil {
			t.Fatalf("broker: start: %v", err)
		}
		<-ctx.Done()
		c.Close()
	case "store":
		// FerretDB; devstack's own broker is not used.
		st, err := devstack.Start(ctx, devstack.Config{Dir: dir, MongoPort: port})
		if err != nil {
			t.Fatal(err)
		}
		st.StopKafka()
		<-ctx.Done()
		st.Close()
	default:
		t.Fatalf("no part %q", name)
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

// freePort returns a loopback port and holds it, listening, until
// release: a port merely found free was once taken, between the finding
// and the process's start, by a proxy of this run listening on any port.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	held.Lock()
	held.ports[port] = ln
	held.Unlock()
	return port, nil
}

// release lets ports be listened on, by the process about to start.
func release(ports ...int) {
	held.Lock()
	defer held.Unlock()
	for _, p := range ports {
		if ln, ok := held.ports[p]; ok {
			ln.Close()
			delete(held.ports, p)
		}
	}
}

var held = struct {
	sync.Mutex
	ports map[int]net.Listener
}{ports: map[int]net.Listener{}}

// stack is the embedded store and broker, each a process of its own, with
// the proxies in front.
type stack struct {
	store       *part // FerretDB
	broker      *part // kfake
	brokerProxy *toxiproxy.Proxy
	proxies     *proxies
	storeAddr   string // host:port of FerretDB itself
}

// storeURI is the store's connection string past the proxies.
func (s *stack) storeURI() string { return "mongodb://" + s.storeAddr + "/?directConnection=true" }

func startStack(dir, logs string, topics []string) (*stack, error) {
	sport, err := freePort()
	if err != nil {
		return nil, err
	}
	kport, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &stack{proxies: newProxies(), storeAddr: fmt.Sprintf("127.0.0.1:%d", sport)}
	s.store = &part{
		name: "store", addr: s.storeAddr, port: sport, logs: filepath.Join(logs, "store.log"),
		env: []string{"CHAOS_PART_DIR=" + filepath.Join(dir, "store"), fmt.Sprintf("CHAOS_PART_PORT=%d", sport)},
	}
	if err := s.store.start(); err != nil {
		return nil, err
	}
	upstream := fmt.Sprintf("127.0.0.1:%d", kport)
	if s.brokerProxy, err = s.proxies.add("broker", "127.0.0.1:0", upstream); err != nil {
		s.store.stop()
		return nil, err
	}
	s.broker = &part{
		name: "broker", addr: upstream, port: kport, logs: filepath.Join(logs, "broker.log"),
		env: []string{
			"CHAOS_PART_DIR=" + filepath.Join(dir, "kafka"), fmt.Sprintf("CHAOS_PART_PORT=%d", kport),
			"CHAOS_PART_ADVERTISED=" + s.brokerProxy.Listen, "CHAOS_PART_TOPICS=" + strings.Join(topics, ","),
		},
	}
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
	if s.broker != nil {
		s.broker.stop()
	}
	s.store.stop()
}

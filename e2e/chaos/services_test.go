package chaos

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
)

// Every service runs as its own process from its own binary, as deployed,
// rather than in this process: a kill is then a real crash (SIGKILL, no
// graceful shutdown, requests cut mid-flight, nothing flushed), the fault
// the outbox and the idempotent consumers exist for. Cancelling an
// in-process Run would instead finish in-flight requests and flush
// commits, hiding exactly the windows under test.

// serviceNames in the order they start: web, last, calls every other.
var serviceNames = []string{"courses", "training", "pathway", "housing", "jobs", "web"}

// buildServices compiles every service's command into dir.
func buildServices(ctx context.Context, dir string) error {
	args := []string{"build", "-o", dir + string(filepath.Separator)}
	for _, n := range serviceNames {
		args = append(args, "github.com/percorsi/percorsi/services/"+n+"/cmd/"+n)
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %w\n%s", err, out)
	}
	return nil
}

// service is one service process, restarted by a supervisor when it exits
// unless the run killed it on purpose: a crash of its own, which the run
// reports, is restarted after a second as an orchestrator would.
type service struct {
	name  string // the service
	id    string // the replica: name-1, name-2, ...
	bin   string
	env   []string
	url   string // base URL of its HTTP API
	grpc  string // address of its gRPC API; "" for web
	logs  string // file its stderr is appended to
	store *toxiproxy.Proxy
	ports []int // its own, held by freePort until the first start

	mu       sync.Mutex
	cmd      *exec.Cmd
	down     bool     // killed by the run, not to be restarted by the supervisor
	paused   bool     // stopped with SIGSTOP, until resume
	stopping bool     // the run is over
	crashes  []string // exits the run did not cause
}

// start starts the process and returns once it answers /healthz.
func (s *service) start(ctx context.Context) error {
	s.mu.Lock()
	if s.cmd != nil {
		s.mu.Unlock()
		return nil
	}
	logs, err := os.OpenFile(s.logs, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	release(s.ports...)
	cmd := exec.Command(s.bin)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, s.env...)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		s.mu.Unlock()
		logs.Close()
		return fmt.Errorf("start %s: %w", s.id, err)
	}
	s.cmd, s.down = cmd, false
	s.mu.Unlock()
	go s.supervise(ctx, cmd, logs)
	return s.waitHealthy(ctx, time.Minute)
}

func (s *service) supervise(ctx context.Context, cmd *exec.Cmd, logs *os.File) {
	err := cmd.Wait()
	logs.Close()
	s.mu.Lock()
	s.cmd = nil
	restart := !s.down && !s.stopping
	if restart {
		s.crashes = append(s.crashes, fmt.Sprintf("%s: %v", time.Now().UTC().Format(time.TimeOnly), err))
	}
	s.mu.Unlock()
	if restart {
		time.Sleep(time.Second)
		_ = s.start(ctx) // failing again is another crash, seen by the next supervise
	}
}

// waitHealthy waits until the process answers /healthz.
func (s *service) waitHealthy(ctx context.Context, within time.Duration) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(within)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.url+"/healthz", nil)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("%s did not answer /healthz within %s (logs: %s)", s.id, within, s.logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill crashes the process: SIGKILL, and no restart until start.
func (s *service) kill() error {
	s.mu.Lock()
	cmd := s.cmd
	s.down = true
	s.mu.Unlock()
	if cmd == nil {
		return fmt.Errorf("%s is not running", s.id)
	}
	if err := cmd.Process.Kill(); err != nil {
		return fmt.Errorf("kill %s: %w", s.id, err)
	}
	for {
		s.mu.Lock()
		gone := s.cmd == nil
		s.mu.Unlock()
		if gone {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// pause stops the process with SIGSTOP: it holds its connections, its
// lease and its group membership, and answers nothing, as a process
// descheduled for long (a VM paused, a stop-the-world stall) does.
func (s *service) pause() error { return s.signal(syscall.SIGSTOP, true) }

// resume lets a paused process run on with SIGCONT.
func (s *service) resume() error { return s.signal(syscall.SIGCONT, false) }

func (s *service) signal(sig syscall.Signal, paused bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return fmt.Errorf("%s is not running", s.id)
	}
	if err := s.cmd.Process.Signal(sig); err != nil {
		return fmt.Errorf("%s %s: %w", sig, s.id, err)
	}
	s.paused = paused
	return nil
}

// stop ends the process gracefully at the end of the run.
func (s *service) stop() {
	s.mu.Lock()
	s.stopping = true
	cmd := s.cmd
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGCONT)
	_ = cmd.Process.Signal(syscall.SIGTERM)
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		s.mu.Lock()
		gone := s.cmd == nil
		s.mu.Unlock()
		if gone {
			return
		}
	}
	_ = cmd.Process.Kill()
}

func (s *service) crashLog() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.crashes...)
}

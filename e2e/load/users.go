package load

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/percorsi/percorsi/pkg/auth"
)

// users sign the load's users in and make their requests, timing each one
// as the user would: from sending it to reading the whole answer.
type users struct {
	issuer *auth.HMAC
	client *http.Client
	rec    *Recorder

	// retry503 asks again, up to five times a second apart, when a
	// service answers 503; users see the 503 instead.
	retry503 bool

	mu     sync.Mutex
	tokens map[auth.Principal]string
}

func newUsers(issuer *auth.HMAC, conns int, rec *Recorder) *users {
	return &users{issuer: issuer, client: newClient(conns), rec: rec, tokens: map[auth.Principal]string{}}
}

// token returns p's bearer token, as its sign-in would have given it.
func (u *users) token(p auth.Principal) (string, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if t, ok := u.tokens[p]; ok {
		return t, nil
	}
	t, err := u.issuer.Issue(p, 24*time.Hour)
	if err != nil {
		return "", fmt.Errorf("token of %s: %w", p.Subject, err)
	}
	u.tokens[p] = t
	return t, nil
}

// call sends one JSON request as p (no token for the zero principal),
// records it as action unless action is "", and decodes the answer into
// out when its status is one of want.
func (u *users) call(ctx context.Context, action string, p auth.Principal, method, url string, body, out any, want ...int) error {
	for try := 1; ; try++ {
		err := u.call1(ctx, action, p, method, url, body, out, want...)
		var se *StatusError
		if !u.retry503 || try == 5 || !errors.As(err, &se) || se.Code != http.StatusServiceUnavailable {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Second):
		}
	}
}

func (u *users) call1(ctx context.Context, action string, p auth.Principal, method, url string, body, out any, want ...int) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if p.Subject != "" {
		tok, err := u.token(p)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	return u.do(action, u.client, req, out, want...)
}

func (u *users) do(action string, client *http.Client, req *http.Request, out any, want ...int) error {
	t0 := time.Now()
	err := func() error {
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		ok := false
		for _, w := range want {
			ok = ok || resp.StatusCode == w
		}
		if !ok {
			what := action
			if what == "" {
				what = req.Method + " " + req.URL.Path
			}
			return &StatusError{Action: what, Code: resp.StatusCode, Detail: string(b[:min(len(b), 300)])}
		}
		if out != nil {
			if err := json.Unmarshal(b, out); err != nil {
				return fmt.Errorf("%s: decode the answer: %w", action, err)
			}
		}
		return nil
	}()
	if action != "" && req.Context().Err() == nil {
		u.rec.Record(action, time.Now(), time.Since(t0), err)
	}
	return err
}

// page is a browser of the pages (web): it keeps its session cookie.
type page struct {
	u      *users
	client *http.Client
	base   string
}

// signIn opens the sign-in page and signs in, as a person at a browser.
func (u *users) signIn(ctx context.Context, base, username, password string) (*page, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	client := &http.Client{
		Transport: u.client.Transport, Jar: jar, Timeout: requestTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	p := &page{u: u, client: client, base: base}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/signin", nil)
	if err != nil {
		return nil, err
	}
	if err := u.do("", client, req, nil, http.StatusOK); err != nil {
		return nil, fmt.Errorf("sign-in page: %w", err)
	}
	baseURL, _ := url.Parse(base)
	var csrf string
	for _, c := range jar.Cookies(baseURL) {
		if c.Name == "percorsi_csrf" {
			csrf = c.Value
		}
	}
	form := url.Values{"username": {username}, "password": {password}, "csrf": {csrf}}
	req, err = http.NewRequestWithContext(ctx, http.MethodPost, base+"/signin", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if err := u.do("", client, req, nil, http.StatusSeeOther, http.StatusFound); err != nil {
		return nil, fmt.Errorf("sign in: %w", err)
	}
	return p, nil
}

// open loads a page, recorded as action.
func (p *page) open(ctx context.Context, action, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.base+path, nil)
	if err != nil {
		return err
	}
	return p.u.do(action, p.client, req, nil, http.StatusOK)
}

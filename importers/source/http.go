package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"

	redact_ "github.com/aegis-sec/aegis/internal/redact"
)

// ErrStalled is wrapped when a server stops sending (or never starts) for
// longer than Options.StallTimeout.
var ErrStalled = errors.New("download stalled")

// DefaultClient verifies TLS, honours HTTP(S)_PROXY/NO_PROXY and bounds
// connection set-up; per-download stalls are handled by fetch.
func DefaultClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 15 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   15 * time.Second,
		ResponseHeaderTimeout: 60 * time.Second,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}}
}

type httpSource struct {
	url  string
	opts Options
}

func newHTTPSource(spec string, opts Options) (Source, error) {
	u, err := url.Parse(spec)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("open source %s: not a valid URL", redact(spec))
	}
	return &httpSource{url: spec, opts: opts}, nil
}

func (s *httpSource) String() string { return redact(s.url) }

func (s *httpSource) Walk(ctx context.Context, fn WalkFunc) error {
	resp, err := fetch(ctx, s.opts, s.url, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	w := newWalker(ctx, s.opts, fn)
	return w.stream(resp.Body, resp.name, resp.ContentLength, nil, 0, 0, "")
}

// response is an HTTP response whose body enforces the download limit and
// the stall timeout.
type response struct {
	*http.Response
	name string // file name from Content-Disposition or the URL path
}

// fetch GETs u with the stall watchdog running from the first byte of the
// request, so a server that accepts the connection and then says nothing
// fails after StallTimeout rather than hanging the import.
func fetch(ctx context.Context, opts Options, u string, header http.Header) (*response, error) {
	client := opts.Client
	if client == nil {
		client = DefaultClient()
	}
	ctx, cancelTimeout := context.WithTimeout(ctx, opts.timeout())
	ctx, cancel := context.WithCancelCause(ctx)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		cancel(nil)
		cancelTimeout()
		return nil, fmt.Errorf("fetch %s: %s", redact(u), redact_.Text(err.Error()))
	}
	for k, v := range opts.Header {
		req.Header[k] = v
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "aegis-importer")
	}
	stall := opts.stallTimeout()
	wd := &watchdog{timer: time.AfterFunc(stall, func() {
		cancel(fmt.Errorf("no data from %s for %s: %w", redact(u), stall, ErrStalled))
	}), d: stall}
	done := func() { wd.stop(); cancel(nil); cancelTimeout() }

	resp, err := client.Do(req)
	if err != nil {
		done()
		if c := context.Cause(ctx); c != nil && !errors.Is(c, context.Canceled) {
			return nil, fmt.Errorf("fetch %s: %w", redact(u), c)
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			ue.URL = redact(ue.URL) // net/http puts the whole URL, credentials included, in its errors
		}
		return nil, fmt.Errorf("fetch %s: %w", redact(u), err)
	}
	wd.reset()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		resp.Body.Close()
		done()
		return nil, &StatusError{URL: redact(u), Code: resp.StatusCode, Body: strings.TrimSpace(string(msg))}
	}
	limit := opts.Limits.withDefaults().MaxDownload
	if resp.ContentLength > limit {
		resp.Body.Close()
		done()
		return nil, fmt.Errorf("fetch %s: %d bytes, more than the %d allowed: %w", redact(u), resp.ContentLength, limit, ErrLimit)
	}
	resp.Body = &watchedBody{rc: resp.Body, wd: wd, ctx: ctx, left: limit, url: u, done: done, limit: limit}
	return &response{Response: resp, name: fileName(resp, u)}, nil
}

// StatusError is a non-2xx HTTP answer.
type StatusError struct {
	URL  string
	Code int
	Body string
}

func (e *StatusError) Error() string {
	hint := ""
	switch e.Code {
	case http.StatusUnauthorized, http.StatusForbidden:
		hint = " (check the credentials or token)"
	case http.StatusNotFound:
		hint = " (check the URL, repository, ref or collection id)"
	case http.StatusTooManyRequests:
		hint = " (rate limited; retry later or use a token)"
	}
	if e.Body != "" {
		return fmt.Sprintf("fetch %s: HTTP %d%s: %s", e.URL, e.Code, hint, e.Body)
	}
	return fmt.Sprintf("fetch %s: HTTP %d%s", e.URL, e.Code, hint)
}

type watchdog struct {
	mu    sync.Mutex
	timer *time.Timer
	d     time.Duration
}

func (w *watchdog) reset() {
	w.mu.Lock()
	w.timer.Reset(w.d)
	w.mu.Unlock()
}

func (w *watchdog) stop() {
	w.mu.Lock()
	w.timer.Stop()
	w.mu.Unlock()
}

type watchedBody struct {
	rc          io.ReadCloser
	wd          *watchdog
	ctx         context.Context
	left, limit int64
	url         string
	done        func()
	closed      bool
}

func (b *watchedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		var one [1]byte
		if n, _ := b.rc.Read(one[:]); n > 0 {
			return 0, fmt.Errorf("fetch %s: more than the %d bytes allowed: %w", redact(b.url), b.limit, ErrLimit)
		}
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if n > 0 {
		b.wd.reset()
	}
	if err != nil && !errors.Is(err, io.EOF) {
		if c := context.Cause(b.ctx); c != nil && !errors.Is(c, context.Canceled) {
			return n, fmt.Errorf("fetch %s: %w", redact(b.url), c)
		}
		return n, fmt.Errorf("fetch %s: %w", redact(b.url), err)
	}
	return n, err
}

func (b *watchedBody) Close() error {
	if b.closed {
		return nil
	}
	b.closed = true
	err := b.rc.Close()
	b.done()
	return err
}

func fileName(resp *http.Response, u string) string {
	if cd := resp.Header.Get("Content-Disposition"); cd != "" {
		if _, params, err := mime.ParseMediaType(cd); err == nil {
			if fn := path.Base(strings.ReplaceAll(params["filename"], "\\", "/")); fn != "" && fn != "." && fn != "/" && fn != ".." {
				return fn
			}
		}
	}
	if pu, err := url.Parse(u); err == nil {
		if b := path.Base(pu.Path); b != "" && b != "/" && b != "." {
			return b
		}
	}
	return "download"
}

// redact drops credentials (user information, token-like query values)
// from URLs put in errors and names.
func redact(u string) string { return redact_.URL(u) }

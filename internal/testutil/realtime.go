package testutil

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Event is one server-sent event from /api/realtime.
type Event struct {
	Name string
	Data string
}

// Realtime is a real SSE client of PocketBase's realtime API.
type Realtime struct {
	ClientId string
	events   chan Event
	cancel   context.CancelFunc
}

// Subscribe opens /api/realtime on the server at baseURL, authenticates the
// connection with token (empty for a guest) and subscribes to topics, e.g.
// "notifications/*". It is closed when the test ends.
func Subscribe(t testing.TB, baseURL, token string, topics ...string) *Realtime {
	t.Helper()
	rt := Connect(t, baseURL, "")
	if r := rt.Post(t, baseURL, token, topics...); r.Status != http.StatusNoContent {
		t.Fatalf("realtime subscribe: %d %s", r.Status, r.Body)
	}
	return rt
}

// Connect opens /api/realtime on the server at baseURL (sending token as the
// Authorization header when not empty) and waits for PB_CONNECT. It is
// closed when the test ends. Use Post to subscribe.
func Connect(t testing.TB, baseURL, token string) *Realtime {
	t.Helper()
	rt, res := Open(t, baseURL, token)
	if res.Status != http.StatusOK {
		t.Fatalf("open realtime: %d %s", res.Status, res.Body)
	}
	return rt
}

// Open is Connect that also returns a refused connection's answer instead of
// failing: rt is nil unless the status is 200.
func Open(t testing.TB, baseURL, token string) (*Realtime, Response) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/api/realtime", nil)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatalf("open realtime: %v", err)
	}
	if res.StatusCode != http.StatusOK {
		defer cancel()
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		return nil, Response{Status: res.StatusCode, Body: raw, Header: res.Header}
	}
	rt := &Realtime{events: make(chan Event, 64), cancel: cancel}
	t.Cleanup(func() { cancel(); res.Body.Close() })
	go func() {
		defer close(rt.events)
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		var ev Event
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.Name != "" || ev.Data != "" {
					rt.events <- ev
				}
				ev = Event{}
			case strings.HasPrefix(line, "event:"):
				ev.Name = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
			case strings.HasPrefix(line, "data:"):
				ev.Data += strings.TrimSpace(strings.TrimPrefix(line, "data:"))
			}
		}
	}()
	connect, ok := rt.Next(5 * time.Second)
	if !ok || connect.Name != "PB_CONNECT" {
		t.Fatalf("realtime: no PB_CONNECT event, got %+v", connect)
	}
	var c struct{ ClientId string }
	if err := json.Unmarshal([]byte(connect.Data), &c); err != nil || c.ClientId == "" {
		t.Fatalf("realtime: bad PB_CONNECT data %q", connect.Data)
	}
	rt.ClientId = c.ClientId
	return rt, Response{Status: res.StatusCode, Header: res.Header}
}

// Post sets the connection's subscriptions to topics with token's auth and
// returns the answer (204 when accepted).
func (rt *Realtime) Post(t testing.TB, baseURL, token string, topics ...string) Response {
	t.Helper()
	return Do(t, http.MethodPost, baseURL+"/api/realtime", token,
		map[string]any{"clientId": rt.ClientId, "subscriptions": topics})
}

// Next waits up to timeout for the next event.
func (rt *Realtime) Next(timeout time.Duration) (Event, bool) {
	select {
	case ev, ok := <-rt.events:
		return ev, ok
	case <-time.After(timeout):
		return Event{}, false
	}
}

// Close ends the connection.
func (rt *Realtime) Close() { rt.cancel() }

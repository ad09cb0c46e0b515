package testutil

import (
	"bufio"
	"context"
	"encoding/json"
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
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/api/realtime", nil)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatalf("open realtime: %v", err)
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
	r := Do(t, http.MethodPost, baseURL+"/api/realtime", token,
		map[string]any{"clientId": c.ClientId, "subscriptions": topics})
	if r.Status != http.StatusNoContent {
		t.Fatalf("realtime subscribe: %d %s", r.Status, r.Body)
	}
	return rt
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

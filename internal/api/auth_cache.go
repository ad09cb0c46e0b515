package api

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// PocketBase resolves the Authorization token of every request with a
// database read of the auth record (FindAuthRecordByToken): under many
// clients it was most of a cached matrix request's CPU. For GET requests
// the verified record is kept per token for at most authCacheTTL and handed
// out as a copy; any change to an auth record (role, active flag, password
// or token key, deletion) through this process drops every kept entry, and
// writes (POST, PATCH, DELETE …) always read the record fresh. A change made
// by another process (the CLI) applies to reads within authCacheTTL.

const (
	authCacheTTL = time.Second
	authCacheMax = 4096
)

type authEntry struct {
	rec *core.Record
	at  time.Time
}

type authCache struct {
	mu sync.Mutex
	m  map[string]authEntry
}

func (c *authCache) get(token string) *core.Record {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[token]
	if !ok || time.Since(e.at) > authCacheTTL {
		return nil
	}
	return e.rec.Clone()
}

func (c *authCache) put(token string, rec *core.Record) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= authCacheMax {
		c.m = map[string]authEntry{}
	}
	c.m[token] = authEntry{rec: rec.Clone(), at: time.Now()}
}

func (c *authCache) clear() {
	c.mu.Lock()
	c.m = nil
	c.mu.Unlock()
}

func bindAuthCache(app core.App, se *core.ServeEvent) {
	c := &authCache{}
	drop := func(e *core.ModelEvent) error {
		if r, ok := e.Model.(*core.Record); ok && r.Collection().IsAuth() {
			c.clear()
		} else if col, ok := e.Model.(*core.Collection); ok && col.IsAuth() {
			c.clear()
		}
		return e.Next()
	}
	app.OnModelAfterUpdateSuccess().BindFunc(drop)
	app.OnModelAfterDeleteSuccess().BindFunc(drop)
	se.Router.Bind(&hook.Handler[*core.RequestEvent]{
		Id:       "aegisAuthCache",
		Priority: apis.DefaultLoadAuthTokenMiddlewarePriority - 1,
		Func: func(e *core.RequestEvent) error {
			if e.Auth != nil || e.Request.Method != http.MethodGet {
				return e.Next()
			}
			token := e.Request.Header.Get("Authorization")
			if len(token) > 7 && strings.EqualFold(token[:7], "Bearer ") {
				token = token[7:]
			}
			if token == "" {
				return e.Next()
			}
			if rec := c.get(token); rec != nil {
				e.Auth = rec
				return e.Next()
			}
			rec, err := e.App.FindAuthRecordByToken(token, core.TokenTypeAuth)
			if err == nil && rec != nil {
				c.put(token, rec)
				e.Auth = rec
			}
			return e.Next()
		},
	})
}

package audit_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/internal/audit"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testCollection() *core.Collection {
	c := core.NewAuthCollection("people")
	c.Fields.Add(
		&core.TextField{Name: "name"},
		&core.TextField{Name: "bio", Max: 1 << 20},
		&core.NumberField{Name: "score"},
		&core.JSONField{Name: "meta", MaxSize: 1 << 20},
		&core.SelectField{Name: "role", Values: []string{"a", "b"}, MaxSelect: 1},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
	)
	return c
}

func asJSON(t *testing.T, v any) string {
	raw, err := json.Marshal(v)
	require.NoError(t, err)
	return string(raw)
}

func TestDiff(t *testing.T) {
	col := testCollection()
	before := core.NewRecord(col)
	before.Id = "r1"
	before.Set("name", "Ada")
	before.Set("score", 3)
	before.Set("role", "a")
	before.SetPassword("old-password-123")
	before.Set("updated", "2026-01-01 00:00:00.000Z")

	after := before.Clone()
	after.Set("name", "Ada L.")
	after.Set("bio", strings.Repeat("é", 5000))
	after.Set("meta", map[string]any{"blob": strings.Repeat("x", 5000)})
	after.SetPassword("new-password-456")
	after.Set("updated", "2026-02-02 00:00:00.000Z")

	cases := []struct {
		name          string
		before, after *core.Record
		want          map[string]string // field → substring of its JSON
		absent        []string
	}{
		{"update", before, after, map[string]string{
			"name":     `{"old":"Ada","new":"Ada L."}`,
			"password": `{"changed":true}`,
			"bio":      `"old":""`,
			"meta":     `truncated`,
		}, []string{"score", "role", "updated", "id"}},
		{"create", nil, before, map[string]string{
			"name": `{"old":null,"new":"Ada"}`, "score": `"new":3`, "role": `"new":"a"`,
		}, []string{"bio", "meta", "updated"}},
		{"delete", before, nil, map[string]string{
			"name": `{"old":"Ada","new":null}`,
		}, []string{"bio", "updated"}},
		{"no change", before, before.Clone(), map[string]string{}, []string{"name", "password"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := audit.Diff(c.before, c.after)
			all := asJSON(t, d)
			for field, sub := range c.want {
				got, ok := d[field]
				if !assert.True(t, ok, "%s missing from %s", field, all) {
					continue
				}
				assert.Contains(t, asJSON(t, got), sub, "%s, want it to contain %s", field, sub)
			}
			for _, f := range c.absent {
				_, ok := d[f]
				assert.False(t, ok, "%s should not be in %s", f, all)
			}
			assert.NotContains(t, all, "password-", "a password leaked: %s", all)
			assert.LessOrEqual(t, len(all), 6000, "entry too large: %d bytes", len(all))
			assert.False(t, c.name == "no change" && len(d) != 0, "no-op diff: %s", all)
		})
	}
	// Long text is cut on a character boundary.
	bio := asJSON(t, audit.Diff(before, after)["bio"])
	assert.Contains(t, bio, "…", "bio truncation: %.80s", bio)
	assert.NotContains(t, bio, "\\ufffd", "bio truncation: %.80s", bio)
}

func TestActorHelpers(t *testing.T) {
	col := testCollection()
	u := core.NewRecord(col)
	u.Id = "u1"
	u.SetEmail("ada@example.org")
	a := audit.ActorOf(u)
	require.Equal(t, "u1", a.Id, "ActorOf: %+v", a)
	require.Equal(t, audit.KindUser, a.Kind, "ActorOf: %+v", a)
	require.Equal(t, "ada@example.org", a.Name, "ActorOf: %+v", a)
	u.Set("name", "Ada")
	assert.Equal(t, "Ada", audit.ActorOf(u).Name, "the display name should win over the email")
	assert.Equal(t, audit.KindSystem, audit.ActorOf(nil).Kind, "nil actor should be the system")
	r := core.NewRecord(col)
	_, ok := audit.RecordActor(r)
	assert.False(t, ok, "fresh record has an actor")
	audit.SetActor(r, u)
	got, ok := audit.RecordActor(r)
	assert.True(t, ok, "SetActor gives the record an actor")
	assert.Equal(t, "u1", got.Id, "SetActor: %+v", got)
	// The attached actor never reaches a serialisation.
	r.WithCustomData(true)
	assert.NotContains(t, asJSON(t, r), "u1", "actor leaked into JSON")
}

// Package schema guards Aegis's collections. Their schema and API rules
// are defined by the migrations only: through the API nobody, superusers
// included, may delete or truncate them, or change their name, type, fields
// or rules (Register). Check compares the live collections with what the
// migrations define (a fresh database migrated by this binary) so that
// `aegis doctor` and /api/health report a missing or altered collection.
package schema

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/core"
)

// Owned reports whether name is an Aegis collection.
func Owned(name string) bool { return slices.Contains(collections.All, name) }

// Print is what defines a collection's contract: name, type, API rules and
// fields (name, type, hidden, relation target). Field options that Aegis
// itself tunes at run time (the password length policy) are not part of it.
type Print struct {
	Name   string
	Type   string
	Rules  map[string]string
	Fields map[string]string // field name → "type[,hidden][→target collection]"
}

const nilRule = "<superusers only>"

func rule(r *string) string {
	if r == nil {
		return nilRule
	}
	return *r
}

// Fingerprint computes c's Print; app resolves relation targets to names.
func Fingerprint(app core.App, c *core.Collection) Print {
	p := Print{Name: c.Name, Type: c.Type, Rules: map[string]string{
		"listRule": rule(c.ListRule), "viewRule": rule(c.ViewRule), "createRule": rule(c.CreateRule),
		"updateRule": rule(c.UpdateRule), "deleteRule": rule(c.DeleteRule),
	}, Fields: map[string]string{}}
	if c.IsAuth() {
		p.Rules["authRule"] = rule(c.AuthRule)
		p.Rules["manageRule"] = rule(c.ManageRule)
	}
	for _, f := range c.Fields {
		d := f.Type()
		if f.GetHidden() {
			d += ",hidden"
		}
		if rf, ok := f.(*core.RelationField); ok {
			target := rf.CollectionId
			if tc, err := app.FindCollectionByNameOrId(rf.CollectionId); err == nil {
				target = tc.Name
			}
			d += "→" + target
		}
		p.Fields[f.GetName()] = d
	}
	return p
}

// Diff lists how got differs from want, one readable line per difference.
func Diff(want, got Print) []string {
	var out []string
	if want.Name != got.Name {
		out = append(out, fmt.Sprintf("name %q instead of %q", got.Name, want.Name))
	}
	if want.Type != got.Type {
		out = append(out, fmt.Sprintf("type %s instead of %s", got.Type, want.Type))
	}
	for _, k := range sortedKeys(want.Rules, got.Rules) {
		if want.Rules[k] != got.Rules[k] {
			out = append(out, fmt.Sprintf("%s %q instead of %q", k, got.Rules[k], want.Rules[k]))
		}
	}
	for _, k := range sortedKeys(want.Fields, got.Fields) {
		w, okW := want.Fields[k]
		g, okG := got.Fields[k]
		switch {
		case !okG:
			out = append(out, "field "+k+" is missing")
		case !okW:
			out = append(out, "field "+k+" is not defined by the migrations")
		case w != g:
			out = append(out, fmt.Sprintf("field %s is %s instead of %s", k, g, w))
		}
	}
	return out
}

func sortedKeys(a, b map[string]string) []string {
	seen := map[string]bool{}
	for k := range a {
		seen[k] = true
	}
	for k := range b {
		seen[k] = true
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var expected struct {
	once   sync.Once
	prints map[string]Print
	err    error
}

// Expected returns the Print of every Aegis collection as the migrations
// compiled into this binary define it: they are run once per process on an
// empty database in a temporary folder.
func Expected() (map[string]Print, error) {
	expected.once.Do(func() {
		expected.prints, expected.err = migrateFresh()
	})
	return expected.prints, expected.err
}

func migrateFresh() (map[string]Print, error) {
	dir, err := os.MkdirTemp("", "aegis_schema_")
	if err != nil {
		return nil, fmt.Errorf("expected schema: %w", err)
	}
	defer os.RemoveAll(dir)
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir, DataMaxOpenConns: 2, DataMaxIdleConns: 1, AuxMaxOpenConns: 2, AuxMaxIdleConns: 1})
	if err := app.Bootstrap(); err != nil {
		return nil, fmt.Errorf("expected schema: bootstrap: %w", err)
	}
	defer app.ResetBootstrapState()
	if err := app.RunAllMigrations(); err != nil {
		return nil, fmt.Errorf("expected schema: migrate: %w", err)
	}
	out := map[string]Print{}
	for _, name := range collections.All {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			return nil, fmt.Errorf("expected schema: the migrations do not create %s: %w", name, err)
		}
		out[name] = Fingerprint(app, c)
	}
	return out, nil
}

// Problem is one missing or altered Aegis collection.
type Problem struct {
	Collection string   `json:"collection"`
	Missing    bool     `json:"missing,omitempty"`
	Changes    []string `json:"changes,omitempty"`
}

func (p Problem) String() string {
	if p.Missing {
		return p.Collection + " is missing"
	}
	return p.Collection + ": " + strings.Join(p.Changes, "; ")
}

// Check compares app's Aegis collections with Expected.
func Check(app core.App) ([]Problem, error) {
	want, err := Expected()
	if err != nil {
		return nil, err
	}
	var out []Problem
	for _, name := range collections.All {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			out = append(out, Problem{Collection: name, Missing: true})
			continue
		}
		if d := Diff(want[name], Fingerprint(app, c)); len(d) > 0 {
			out = append(out, Problem{Collection: name, Changes: d})
		}
	}
	return out, nil
}

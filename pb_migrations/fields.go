// Package migrations holds the Go migrations that create and evolve the Aegis
// schema. They are the single source of truth for collections, fields,
// indexes and API rules; one file per schema step, applied in name order.
package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Small constructors keep the schema files readable as a table of fields.

func text(name string) *core.TextField { return &core.TextField{Name: name} }

func textReq(name string) *core.TextField { return &core.TextField{Name: name, Required: true} }

func longText(name string) *core.TextField { return &core.TextField{Name: name, Max: 1 << 20} }

func integer(name string) *core.NumberField { return &core.NumberField{Name: name, OnlyInt: true} }

func boolean(name string) *core.BoolField { return &core.BoolField{Name: name} }

func date(name string) *core.DateField { return &core.DateField{Name: name} }

func jsonField(name string) *core.JSONField { return &core.JSONField{Name: name, MaxSize: 4 << 20} }

func sel(name string, values []string) *core.SelectField {
	return &core.SelectField{Name: name, Values: values, MaxSelect: 1}
}

func selReq(name string, values []string) *core.SelectField {
	return &core.SelectField{Name: name, Values: values, MaxSelect: 1, Required: true}
}

func rel(name string, target *core.Collection) *core.RelationField {
	return &core.RelationField{Name: name, CollectionId: target.Id, MaxSelect: 1}
}

func relReq(name string, target *core.Collection, cascade bool) *core.RelationField {
	return &core.RelationField{Name: name, CollectionId: target.Id, MaxSelect: 1, Required: true, CascadeDelete: cascade}
}

func relMany(name string, target *core.Collection) *core.RelationField {
	return &core.RelationField{Name: name, CollectionId: target.Id, MaxSelect: 999999}
}

// timestamps adds created/updated, which base collections lack by default.
func timestamps(c *core.Collection) {
	c.Fields.Add(
		&core.AutodateField{Name: "created", OnCreate: true},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
	)
}

// ruleSet states all five API rules of a collection explicitly.
type ruleSet struct{ list, view, create, update, del *string }

func (r ruleSet) apply(c *core.Collection) {
	c.ListRule, c.ViewRule, c.CreateRule, c.UpdateRule, c.DeleteRule = r.list, r.view, r.create, r.update, r.del
}

func rule(expr string) *string { return types.Pointer(expr) }

// superusersOnly is the nil rule: only dashboard superusers (and Go code).
var superusersOnly *string

// newCollection creates a base collection with timestamps and explicit rules.
func newCollection(name string, rules ruleSet, fields ...core.Field) *core.Collection {
	c := core.NewBaseCollection(name)
	c.Fields.Add(fields...)
	timestamps(c)
	rules.apply(c)
	return c
}

// index adds a plain index on cols, named after the collection and columns.
func index(c *core.Collection, unique bool, cols string, where ...string) {
	name := "idx_" + c.Name + "_" + sanitize(cols)
	if unique {
		name = "uq_" + c.Name + "_" + sanitize(cols)
	}
	w := ""
	if len(where) > 0 {
		w = where[0]
	}
	c.AddIndex(name, unique, cols, w)
}

func sanitize(cols string) string {
	out := make([]byte, 0, len(cols))
	for i := 0; i < len(cols); i++ {
		ch := cols[i]
		switch {
		case ch >= 'a' && ch <= 'z', ch >= '0' && ch <= '9', ch == '_':
			out = append(out, ch)
		case ch >= 'A' && ch <= 'Z':
			out = append(out, ch+32)
		case ch == ',':
			out = append(out, '_')
		}
	}
	return string(out)
}

// saveAll saves collections in order, stopping at the first error.
func saveAll(app core.App, cols ...*core.Collection) error {
	for _, c := range cols {
		if err := app.Save(c); err != nil {
			return wrap(c.Name, err)
		}
	}
	return nil
}

// dropAll deletes the named collections, newest first, ignoring missing ones.
func dropAll(app core.App, names ...string) error {
	for i := len(names) - 1; i >= 0; i-- {
		c, err := app.FindCollectionByNameOrId(names[i])
		if err != nil {
			continue
		}
		if err := app.Delete(c); err != nil {
			return wrap(names[i], err)
		}
	}
	return nil
}

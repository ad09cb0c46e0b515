package migrations

import (
	"slices"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Imported outcomes and raw technique ids.
//
// An outcome read from a file (a VECTR CSV or bundle) is marked as imported,
// with who imported it; it counts as validated only once a blue lead or an
// admin imported or confirmed it (outcome_confirmed_by). The fields are
// written by importers and by the workflow's confirm action only: the tests
// update rule refuses them in a request body, and the create hook clears
// them.
//
// technique_attack_id keeps the ATT&CK id a test was imported with (e.g. a
// revoked T1086 whose test now points at T1059.001, or an id the catalogue
// does not have yet, whose test waits with an empty technique until a
// catalogue import brings it). The technique relation is therefore no longer
// required at the schema level; API callers still have to give one (hooks).
//
// Integrations may also sync VECTR files (kinds vectr and vectr-bundle).
func init() {
	importedFields := []string{"outcome_imported", "outcome_imported_by", "outcome_confirmed_by",
		"outcome_confirmed_at", "technique_attack_id"}
	m.Register(func(app core.App) error {
		users, err := app.FindCollectionByNameOrId(c.Users)
		if err != nil {
			return wrap(c.Users, err)
		}
		tests, err := app.FindCollectionByNameOrId(c.Tests)
		if err != nil {
			return wrap(c.Tests, err)
		}
		tests.Fields.Add(
			boolean("outcome_imported"), rel("outcome_imported_by", users),
			rel("outcome_confirmed_by", users), date("outcome_confirmed_at"),
			text("technique_attack_id"),
		)
		if f, ok := tests.Fields.GetByName("technique").(*core.RelationField); ok {
			f.Required = false
		}
		if tests.UpdateRule != nil {
			r := *tests.UpdateRule
			for _, f := range importedFields {
				r += " && @request.body." + f + ":isset = false"
			}
			tests.UpdateRule = &r
		}
		index(tests, false, "technique_attack_id", "technique = ''")

		integrations, err := app.FindCollectionByNameOrId(c.Integrations)
		if err != nil {
			return wrap(c.Integrations, err)
		}
		if f, ok := integrations.Fields.GetByName("kind").(*core.SelectField); ok {
			for _, k := range []string{"vectr", "vectr-bundle"} {
				if !slices.Contains(f.Values, k) {
					f.Values = append(f.Values, k)
				}
			}
		}
		return saveAll(app, tests, integrations)
	}, func(app core.App) error {
		tests, err := app.FindCollectionByNameOrId(c.Tests)
		if err != nil {
			return wrap(c.Tests, err)
		}
		for _, f := range importedFields {
			tests.Fields.RemoveByName(f)
		}
		tests.RemoveIndex("idx_" + c.Tests + "_technique_attack_id")
		if f, ok := tests.Fields.GetByName("technique").(*core.RelationField); ok {
			f.Required = true
		}
		return app.Save(tests)
	})
}

package schema

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/core"
)

// Register refuses, for everyone including superusers, every API request
// that would delete, truncate or alter (name, type, fields, rules, indexes)
// an Aegis collection: DELETE and PATCH /api/collections/{c},
// DELETE /api/collections/{c}/truncate and PUT /api/collections/import.
// Options that do not change the contract (e.g. e-mail templates, token
// lifetimes of the users collection) may still be changed from the
// dashboard. Migrations, which do not go through the API, are not affected.
func Register(app core.App) {
	app.OnCollectionDeleteRequest().BindFunc(func(e *core.CollectionRequestEvent) error {
		if Owned(e.Collection.Name) {
			return e.ForbiddenError(fmt.Sprintf("%s is an Aegis collection: it is defined by the migrations and cannot be deleted.", e.Collection.Name), nil)
		}
		return e.Next()
	})
	app.OnCollectionUpdateRequest().BindFunc(func(e *core.CollectionRequestEvent) error {
		// The collection as stored, found by the URL (the body may carry another id).
		orig, err := e.App.FindCollectionByNameOrId(e.Request.PathValue("collection"))
		if err != nil || !Owned(orig.Name) {
			return e.Next()
		}
		if e.Collection.Id != orig.Id {
			return e.ForbiddenError(fmt.Sprintf("%s is an Aegis collection: its id cannot be changed.", orig.Name), nil)
		}
		if changes := contractChanges(e.App, orig, e.Collection); len(changes) > 0 {
			return e.ForbiddenError(fmt.Sprintf("%s is an Aegis collection: its schema and rules are defined by the migrations and cannot be changed (%s).",
				orig.Name, strings.Join(changes, "; ")), nil)
		}
		return e.Next()
	})
	app.OnCollectionsImportRequest().BindFunc(func(e *core.CollectionsImportRequestEvent) error {
		changes, err := importChanges(e.App, e.CollectionsData, e.DeleteMissing)
		if err != nil {
			return e.Next() // PocketBase reports the invalid import itself
		}
		if len(changes) > 0 {
			return e.ForbiddenError("The import would change Aegis collections, which are defined by the migrations: "+strings.Join(changes, "; ")+".", nil)
		}
		return e.Next()
	})
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.BindFunc(refuseTruncate)
		return se.Next()
	})
}

// refuseTruncate answers 403 to DELETE /api/collections/{c}/truncate for an
// Aegis collection (PocketBase has no request hook for it).
func refuseTruncate(e *core.RequestEvent) error {
	p := e.Request.URL.Path
	if e.Request.Method != http.MethodDelete || !strings.HasPrefix(p, "/api/collections/") || !strings.HasSuffix(p, "/truncate") {
		return e.Next()
	}
	id := strings.TrimSuffix(strings.TrimPrefix(p, "/api/collections/"), "/truncate")
	c, err := e.App.FindCachedCollectionByNameOrId(id)
	if err == nil && Owned(c.Name) && e.HasSuperuserAuth() {
		return e.ForbiddenError(fmt.Sprintf("%s is an Aegis collection: it cannot be truncated through the API.", c.Name), nil)
	}
	return e.Next() // PocketBase answers 401/403/404 to everyone else
}

// contractChanges lists how next differs from orig in what the migrations
// own: the Print plus the indexes.
func contractChanges(app core.App, orig, next *core.Collection) []string {
	changes := Diff(Fingerprint(app, orig), Fingerprint(app, next))
	a, b := slices.Clone(orig.Indexes), slices.Clone(next.Indexes)
	slices.Sort(a)
	slices.Sort(b)
	if !slices.Equal(a, b) {
		changes = append(changes, "indexes changed")
	}
	return changes
}

var errDryRun = errors.New("dry run")

// importChanges runs the import in a transaction that is always rolled
// back and reports what it would do to Aegis collections.
func importChanges(app core.App, data []map[string]any, deleteMissing bool) ([]string, error) {
	before := map[string]*core.Collection{}
	for _, name := range collections.All {
		if c, err := app.FindCollectionByNameOrId(name); err == nil {
			before[name] = c
		}
	}
	var changes []string
	err := app.RunInTransaction(func(tx core.App) error {
		if err := tx.ImportCollections(data, deleteMissing); err != nil {
			return err
		}
		for _, name := range collections.All {
			orig, ok := before[name]
			if !ok {
				continue
			}
			next, err := tx.FindCollectionByNameOrId(orig.Id)
			if err != nil {
				changes = append(changes, name+" would be deleted")
				continue
			}
			for _, c := range contractChanges(tx, orig, next) {
				changes = append(changes, name+": "+c)
			}
		}
		return errDryRun
	})
	if !errors.Is(err, errDryRun) {
		return nil, err
	}
	return changes, nil
}

package audit

import "github.com/pocketbase/pocketbase/core"

// writeEntry is replaced by the full implementation (actor resolution, etc.).
func writeEntry(app core.App, e Entry) error {
	col, err := app.FindCachedCollectionByNameOrId("audit_logs")
	if err != nil {
		return err
	}
	r := core.NewRecord(col)
	if e.ActorKind == "" {
		e.ActorKind = KindSystem
	}
	r.Set("actor", e.Actor)
	r.Set("actor_name", e.ActorName)
	r.Set("actor_kind", e.ActorKind)
	r.Set("action", e.Action)
	r.Set("collection", e.Collection)
	r.Set("record_id", e.RecordId)
	r.Set("details", e.Details)
	r.Set("ip", e.IP)
	return app.Save(r)
}

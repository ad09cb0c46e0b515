package audit

import (
	"fmt"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/core"
)

func writeEntry(app core.App, e Entry) error {
	if e.Action == "" {
		return fmt.Errorf("audit: entry without an action")
	}
	if e.Actor == "" && e.ActorKind == "" {
		if a, ok := boundActor(app); ok {
			e.Actor, e.ActorName, e.ActorKind = a.Id, a.Name, a.AuditKind()
			if e.IP == "" {
				e.IP = a.IP
			}
		}
	}
	if e.ActorKind == "" {
		e.ActorKind = KindSystem
	}
	col, err := app.FindCachedCollectionByNameOrId(collections.AuditLogs)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	test := e.Test
	if test == "" && e.Collection == collections.Tests {
		test = e.RecordId
	}
	revealed := true
	switch {
	case test == "":
	case e.TestRevealed != nil:
		revealed = *e.TestRevealed
	default:
		if revealed, err = testRevealed(app, test); err != nil {
			return err
		}
	}
	actorName, details, private := Split(e.Action, e.Collection, e.ActorName, e.Details)
	r := core.NewRecord(col)
	r.Id = orderedID(time.Now())
	al := collections.AsAuditLog(r)
	al.SetActor(e.Actor)
	al.SetActorName(truncateString(actorName, 200))
	al.SetActorKind(e.ActorKind)
	al.SetAction(e.Action)
	al.SetAuditedCollection(e.Collection)
	al.SetRecordId(e.RecordId)
	if details != nil {
		al.SetDetails(details)
	}
	if private.ActorName != "" {
		private.ActorName = truncateString(private.ActorName, 200)
	}
	al.SetPrivate(privateJSON(private))
	al.SetIp(e.IP)
	al.SetTest(test)
	al.SetRevealed(revealed)
	if err := app.Save(r); err != nil {
		return fmt.Errorf("audit %s %s %s: %w", e.Action, e.Collection, e.RecordId, err)
	}
	return nil
}

package migrations

import (
	c "github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Default ATT&CK integrations: MITRE's public STIX 2.1 bundles on GitHub,
// one per domain, with MITRE's TAXII 2.1 server as the documented
// alternative (switch `spec` to it when GitHub is unreachable; the TAXII
// server has moved before, which is why the file URLs are the default).
// They are disabled: many sites are air-gapped, and an admin chooses between
// "sync from MITRE" and uploading a bundle on the first-run page.
func init() {
	type domain struct{ name, dir, collection string }
	domains := []domain{
		{"MITRE ATT&CK Enterprise", "enterprise-attack", "x-mitre-collection--1f5f1533-f617-4ca8-9ab4-6a02367fa019"},
		{"MITRE ATT&CK Mobile", "mobile-attack", "x-mitre-collection--dac0d2d7-8653-445c-9bff-82f934c1e858"},
		{"MITRE ATT&CK ICS", "ics-attack", "x-mitre-collection--90c00720-636b-4485-b342-8751d232bf09"},
	}
	m.Register(func(app core.App) error {
		col, err := app.FindCollectionByNameOrId(c.Integrations)
		if err != nil {
			return wrap(c.Integrations, err)
		}
		for _, d := range domains {
			if _, err := app.FindFirstRecordByData(col, "name", d.name); err == nil {
				continue // an admin created it already
			}
			r := core.NewRecord(col)
			r.Set("kind", "attack")
			r.Set("name", d.name)
			r.Set("enabled", false)
			r.Set("schedule", "") // the kind's default: daily
			r.Set("source", map[string]any{
				"spec": "https://raw.githubusercontent.com/mitre-attack/attack-stix-data/master/" + d.dir + "/" + d.dir + ".json",
				"alternatives": []map[string]any{{
					"spec": "taxii+https://attack-taxii.mitre.org/api/v21/collections/" + d.collection + "/",
					"note": "MITRE's TAXII 2.1 server (API root https://attack-taxii.mitre.org/api/v21/); " +
						"copy this spec into `spec` to sync over TAXII instead of the GitHub file",
				}},
			})
			if err := app.Save(r); err != nil {
				return wrap(c.Integrations, err)
			}
		}
		return nil
	}, func(app core.App) error {
		names := make([]any, len(domains))
		for i, d := range domains {
			names[i] = d.name
		}
		recs, err := app.FindAllRecords(c.Integrations, dbx.In("name", names...), dbx.HashExp{"enabled": false})
		if err != nil {
			return wrap(c.Integrations, err)
		}
		for _, r := range recs {
			if err := app.Delete(r); err != nil {
				return wrap(c.Integrations, err)
			}
		}
		return nil
	})
}

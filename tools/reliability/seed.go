package reliability

import (
	"fmt"

	"github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/core"
)

// SeedTests creates clients×perClient draft tests over a few techniques, in
// one campaign, directly through app (for in-process runs).
func SeedTests(app core.App, redLeadID string, clients, perClient int) (*Setup, error) {
	setup := &Setup{RedLeadID: redLeadID}
	err := app.RunInTransaction(func(tx core.App) error {
		techCol, err := tx.FindCachedCollectionByNameOrId(collections.Techniques)
		if err != nil {
			return err
		}
		var techIDs []string
		for i := 0; i < 10; i++ {
			r := core.NewRecord(techCol)
			r.Set("stix_id", fmt.Sprintf("attack-pattern--load-%02d", i))
			r.Set("attack_id", fmt.Sprintf("T15%02d", i))
			r.Set("name", fmt.Sprintf("Load technique %d", i))
			r.Set("domain", "enterprise-attack")
			r.Set("in_scope", true)
			if err := tx.Save(r); err != nil {
				return fmt.Errorf("seed technique: %w", err)
			}
			techIDs = append(techIDs, r.Id)
		}
		campCol, err := tx.FindCachedCollectionByNameOrId(collections.Campaigns)
		if err != nil {
			return err
		}
		camp := core.NewRecord(campCol)
		camp.Set("name", "Load campaign")
		collections.AsCampaign(camp).SetStatus(collections.CampaignActive)
		if err := tx.Save(camp); err != nil {
			return fmt.Errorf("seed campaign: %w", err)
		}
		setup.CampaignID = camp.Id
		testCol, err := tx.FindCachedCollectionByNameOrId(collections.Tests)
		if err != nil {
			return err
		}
		for c := 0; c < clients; c++ {
			var ids []string
			for k := 0; k < perClient; k++ {
				r := core.NewRecord(testCol)
				r.Set("name", fmt.Sprintf("Load test %d.%d", c, k))
				r.Set("technique", techIDs[(c+k)%len(techIDs)])
				r.Set("campaign", camp.Id)
				r.Set("procedure", "Run the procedure and record what happened.")
				r.Set("state", collections.StateDraft)
				r.Set("revealed", true)
				if err := tx.Save(r); err != nil {
					return fmt.Errorf("seed test: %w", err)
				}
				ids = append(ids, r.Id)
			}
			setup.Tests = append(setup.Tests, ids)
		}
		return nil
	})
	return setup, err
}

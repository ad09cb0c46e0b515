package campaigns

import (
	"fmt"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/workflow"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
)

// Progress counts a campaign's tests by state and outcome.
type Progress struct {
	Campaign     string         `json:"campaign"`
	Total        int            `json:"total"`
	Done         int            `json:"done"`    // validated or closed
	Percent      float64        `json:"percent"` // done of those not cancelled
	ByState      map[string]int `json:"by_state"`
	ByPrevention map[string]int `json:"by_prevention"`
	ByDetection  map[string]int `json:"by_detection"`
	FindingsOpen int            `json:"findings_open"`
}

// GetProgress counts with one grouped query. Blue roles count only the
// tests they may see.
func GetProgress(app core.App, actor workflow.Actor, id string) (Progress, error) {
	if _, err := app.FindRecordById(c.Campaigns, id); err != nil {
		return Progress{}, router.NewNotFoundError("Campaign not found.", nil)
	}
	p := Progress{Campaign: id, ByState: map[string]int{}, ByPrevention: map[string]int{}, ByDetection: map[string]int{}}
	for _, s := range c.TestStates {
		p.ByState[s] = 0
	}
	where := dbx.HashExp{"campaign": id}
	var rows []struct {
		State      string `db:"state"`
		Prevention string `db:"prevention"`
		Detection  string `db:"detection"`
		N          int    `db:"n"`
	}
	q := app.DB().Select("state", "prevention", "detection", "count(*) AS n").From(c.Tests).Where(where).
		GroupBy("state", "prevention", "detection")
	if actor.Blue() {
		q = q.AndWhere(dbx.HashExp{"revealed": true})
	}
	if err := q.All(&rows); err != nil {
		return p, fmt.Errorf("progress of %s: %w", id, err)
	}
	active := 0
	for _, r := range rows {
		p.Total += r.N
		p.ByState[r.State] += r.N
		if r.State != c.StateCancelled {
			active += r.N
		}
		if r.State == c.StateValidated || r.State == c.StateClosed {
			p.Done += r.N
			p.ByPrevention[r.Prevention] += r.N
			p.ByDetection[r.Detection] += r.N
		}
	}
	if active > 0 {
		p.Percent = float64(p.Done) * 100 / float64(active)
	}
	err := app.DB().NewQuery(`SELECT count(*) FROM findings f JOIN tests t ON t.id = f.test
		WHERE t.campaign = {:c} AND f.status IN ('open', 'in_progress')`).Bind(dbx.Params{"c": id}).Row(&p.FindingsOpen)
	if err != nil {
		return p, fmt.Errorf("findings of %s: %w", id, err)
	}
	return p, nil
}

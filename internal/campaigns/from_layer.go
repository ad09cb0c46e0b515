package campaigns

import (
	"fmt"
	"github.com/aegis-sec/aegis/internal/audit"
	"io"
	"net/http"
	"strings"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/workflow"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
)

// FromLayer plans a campaign from an ATT&CK Navigator layer: one draft test
// per technique the layer scores or selects. The campaign is named after the
// layer unless plan.Name is set; unknown technique ids are reported in
// Skipped.
func FromLayer(app core.App, actor workflow.Actor, layer io.Reader, plan Plan) (Generated, error) {
	if err := canPlan(actor); err != nil {
		return Generated{}, err
	}
	l, err := ParseLayer(layer)
	if err != nil {
		return Generated{}, router.NewApiError(http.StatusBadRequest, err.Error(), nil)
	}
	if strings.TrimSpace(plan.Name) == "" {
		plan.Name = strings.TrimSpace(l.Name)
	}
	if plan.Name == "" {
		plan.Name = "Campaign from layer"
	}
	if plan.Description == "" {
		plan.Description = l.Description
	}
	plan.Platforms = cleanPlatforms(plan.Platforms)
	ids := make([]any, len(l.Techniques))
	for i, id := range l.Techniques {
		ids[i] = id
	}
	var techs []*core.Record
	q := app.RecordQuery(c.Techniques).Where(dbx.In("attack_id", ids...)).OrderBy("attack_id ASC")
	if l.Domain != "" {
		q = q.AndWhere(dbx.Or(dbx.HashExp{"domain": l.Domain}, dbx.HashExp{"domain": ""}))
	}
	if err := q.All(&techs); err != nil {
		return Generated{}, fmt.Errorf("techniques of layer: %w", err)
	}
	found := map[string]bool{}
	for _, t := range techs {
		found[c.AsTechnique(t).AttackId()] = true
	}
	var skipped []string
	for _, id := range l.Techniques {
		if !found[id] {
			skipped = append(skipped, id+": unknown technique")
		}
	}
	var out Generated
	err = app.RunInTransaction(func(tx core.App) error {
		audit.Bind(tx, actor)
		g, err := generate(tx, actor, plan, techs, skipped, map[string]any{"layer": l.Name, "layer_techniques": len(l.Techniques)})
		out = g
		return err
	})
	return out, err
}

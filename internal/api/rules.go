package api

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	c "github.com/aegis-sec/aegis/collections"

	"github.com/aegis-sec/aegis/importers/sigma"
	"github.com/aegis-sec/aegis/internal/audit"
	"github.com/aegis-sec/aegis/internal/workflow"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
)

// Detection rules written in the UI: a Sigma rule checked by the importer's
// own parser (so what validates here imports the same way), saved as an
// editable rule, and bulk enable/disable. Imported rules stay read-only
// apart from `enabled` (hooks/content.go).

// maxRuleBulk bounds one bulk enable/disable (T1003.001 alone has 40+ rules;
// a whole ruleset is a few thousand).
const maxRuleBulk = 5000

// authoredInUI marks a rule written in the UI in meta.authored.
const authoredInUI = "ui"

func registerRuleRoutes(g *Group) {
	blue := requireRole(c.RoleAdmin, c.RoleBlueLead)
	g.POST("/rules/validate", handleRuleValidate).Bind(requireUser())
	g.POST("/rules/sigma", handleRuleSigma).Bind(blue)
	g.POST("/rules/bulk", handleRulesBulk).Bind(blue)
	document(
		Op{Method: "POST", Path: Prefix + "/rules/validate", Tags: []string{"rules"}, Auth: "user",
			Summary: "Check a Sigma rule with the importer's parser and resolve its ATT&CK tags (writes nothing)",
			Description: "Body {content}. Answers valid, error (a sentence) and, when valid, the rule(s) with their " +
				"techniques resolved against the catalogue (attack_id, id, name) and the tags that name no known technique.",
			Request:  map[string]any{"content": "title: …\nid: …\ntags: [attack.t1003.001]\ndetection: …"},
			Response: ruleCheck{Valid: true, Rules: []checkedRule{{SourceRuleID: "RULE_ID", Title: "LSASS access", Techniques: []ruleTechnique{{AttackId: "T1003.001", Id: "TECH_ID", Name: "LSASS Memory"}}}}}},
		Op{Method: "POST", Path: Prefix + "/rules/sigma", Tags: []string{"rules"}, Auth: "blue_lead,admin",
			Summary: "Save a Sigma rule written in the UI (one rule per call; created, or updated when its id was written in the UI)",
			Description: "Body {content, enabled?}. 400 when the parser refuses it or the file holds several rules, 409 when an " +
				"imported rule has the same id (imported rules change upstream).",
			Response: map[string]any{"id": "RULE_RECORD_ID", "source": "sigma", "title": "LSASS access", "enabled": true}},
		Op{Method: "POST", Path: Prefix + "/rules/bulk", Tags: []string{"rules"}, Auth: "blue_lead,admin",
			Summary:  "Enable or disable many rules at once, all or nothing (at most 5000)",
			Request:  map[string]any{"ids": []string{"RULE_ID"}, "enabled": true},
			Response: map[string]any{"updated": 42}},
	)
}

type ruleTechnique struct {
	AttackId string `json:"attack_id"`
	Id       string `json:"id"`
	Name     string `json:"name"`
}

type checkedRule struct {
	SourceRuleID string          `json:"source_rule_id"`
	Title        string          `json:"title"`
	Severity     string          `json:"severity"`
	Status       string          `json:"status"`
	Techniques   []ruleTechnique `json:"techniques"`
	Unknown      []string        `json:"unknown_techniques"`
	Tactics      []string        `json:"tactics"`
}

type ruleCheck struct {
	Valid bool          `json:"valid"`
	Error string        `json:"error,omitempty"`
	Rules []checkedRule `json:"rules"`
}

// checkSigma parses content as the importer would and resolves techniques.
func checkSigma(app core.App, content string) (ruleCheck, []sigma.Rule, error) {
	out := ruleCheck{Rules: []checkedRule{}}
	if strings.TrimSpace(content) == "" {
		out.Error = "The rule is empty."
		return out, nil, nil
	}
	if len(content) > sigma.MaxFileSize {
		out.Error = fmt.Sprintf("The rule is larger than %d bytes.", sigma.MaxFileSize)
		return out, nil, nil
	}
	rules, err := sigma.Parse("ui.yml", []byte(content))
	if err != nil {
		out.Error = strings.TrimPrefix(err.Error(), "ui.yml: ")
		return out, nil, nil
	}
	index, err := sigma.TechniqueIndex(app)
	if err != nil {
		return out, nil, err
	}
	for _, r := range rules {
		cr := checkedRule{SourceRuleID: r.SourceRuleID, Title: r.Title, Severity: r.Severity, Status: r.Status,
			Techniques: []ruleTechnique{}, Unknown: append([]string{}, r.BadTechniques...), Tactics: nonNilStrings(r.Tactics)}
		for _, t := range r.Techniques {
			id, ok := index[t]
			if !ok {
				cr.Unknown = append(cr.Unknown, t)
				continue
			}
			tech, err := app.FindRecordById(c.Techniques, id)
			if err != nil {
				return out, nil, fmt.Errorf("technique %s: %w", t, err)
			}
			cr.Techniques = append(cr.Techniques, ruleTechnique{AttackId: t, Id: id, Name: c.AsTechnique(tech).Name()})
		}
		out.Rules = append(out.Rules, cr)
	}
	out.Valid = true
	return out, rules, nil
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func handleRuleValidate(e *core.RequestEvent) error {
	var in struct {
		Content string `json:"content"`
	}
	if err := e.BindBody(&in); err != nil {
		return e.BadRequestError("Invalid JSON body.", err)
	}
	out, _, err := checkSigma(e.App, in.Content)
	if err != nil {
		return domainError(e, err)
	}
	return e.JSON(http.StatusOK, out)
}

// handleRuleSigma saves one Sigma rule written in the UI: checked as on
// import, created or updated by its id (never over an imported rule).
func handleRuleSigma(e *core.RequestEvent) error {
	var in struct {
		Content string `json:"content"`
		Enabled *bool  `json:"enabled"`
	}
	if err := e.BindBody(&in); err != nil {
		return e.BadRequestError("Invalid JSON body.", err)
	}
	check, rules, err := checkSigma(e.App, in.Content)
	if err != nil {
		return domainError(e, err)
	}
	if !check.Valid {
		return e.BadRequestError(check.Error, map[string]any{"content": map[string]string{"code": "invalid", "message": check.Error}})
	}
	if len(rules) != 1 {
		return e.BadRequestError(fmt.Sprintf("Write one rule at a time (this holds %d).", len(rules)), nil)
	}
	r, cr := rules[0], check.Rules[0]
	actor := workflow.ActorFromRequest(e)
	var saved *core.Record
	err = e.App.RunInTransaction(func(tx core.App) error {
		audit.Bind(tx, actor)
		rec, err := authoredRule(tx, r.SourceRuleID)
		if err != nil {
			return err
		}
		setAuthoredRule(c.AsDetectionRule(rec), r, cr, in.Enabled)
		if err := tx.Save(rec); err != nil {
			return fmt.Errorf("save rule %s: %w", r.SourceRuleID, err)
		}
		saved = rec
		return nil
	})
	if err != nil {
		return domainError(e, err)
	}
	return e.JSON(http.StatusOK, saved)
}

// authoredRule is the Sigma rule id written in the UI before, or a new
// enabled one; a conflict when an imported rule has that id.
func authoredRule(tx core.App, id string) (*core.Record, error) {
	rec, err := tx.FindFirstRecordByFilter(c.DetectionRules, "source = 'sigma' && source_rule_id = {:id}", dbx.Params{"id": id})
	if err == nil {
		var meta map[string]any
		_ = rec.UnmarshalJSONField("meta", &meta)
		if meta["authored"] != authoredInUI {
			return nil, conflictError(fmt.Sprintf("A Sigma rule with id %s was imported; imported rules change upstream. Give this rule its own id.", id))
		}
		return rec, nil
	}
	col, err := tx.FindCachedCollectionByNameOrId(c.DetectionRules)
	if err != nil {
		return nil, err
	}
	rec = core.NewRecord(col)
	dr := c.AsDetectionRule(rec)
	dr.SetSource("sigma")
	dr.SetSourceRuleId(id)
	dr.SetEnabled(true)
	return rec, nil
}

// setAuthoredRule sets dr from the parsed rule r and its check cr (the
// techniques it maps to, once each), marked as written in the UI; enabled
// when given.
func setAuthoredRule(dr *c.DetectionRule, r sigma.Rule, cr checkedRule, enabled *bool) {
	ids := make([]string, 0, len(cr.Techniques))
	for _, t := range cr.Techniques {
		if !slices.Contains(ids, t.Id) {
			ids = append(ids, t.Id)
		}
	}
	meta := r.Meta
	if meta == nil {
		meta = map[string]any{}
	}
	meta["authored"] = authoredInUI
	dr.SetTitle(r.Title)
	dr.SetDescription(r.Description)
	dr.SetStatus(r.Status)
	dr.SetSeverity(r.Severity)
	dr.SetAuthor(r.Author)
	dr.SetTechniques(ids)
	dr.SetTactics(nonNilStrings(r.Tactics))
	dr.SetPlatforms(nonNilStrings(r.Platforms))
	dr.SetLogSources(r.LogSources)
	dr.SetReferences(nonNilStrings(r.References))
	dr.SetContent(r.Content)
	dr.SetContentHash(sigma.ContentHash(r.Content))
	dr.SetMeta(meta)
	dr.SetUnknownTechniques(cr.Unknown)
	dr.SetRemoved(false)
	if enabled != nil {
		dr.SetEnabled(*enabled)
	}
}

func handleRulesBulk(e *core.RequestEvent) error {
	var in struct {
		Ids     []string `json:"ids"`
		Enabled *bool    `json:"enabled"`
	}
	if err := e.BindBody(&in); err != nil {
		return e.BadRequestError("Invalid JSON body.", err)
	}
	if in.Enabled == nil {
		return e.BadRequestError("Send enabled: true or false.", nil)
	}
	ids := []any{}
	seen := map[string]bool{}
	for _, id := range in.Ids {
		if id = strings.TrimSpace(id); id != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return e.BadRequestError("Send ids: the rules to change.", nil)
	}
	if len(ids) > maxRuleBulk {
		return e.BadRequestError(fmt.Sprintf("At most %d rules per request.", maxRuleBulk), nil)
	}
	actor := workflow.ActorFromRequest(e)
	n := 0
	err := e.App.RunInTransaction(func(tx core.App) error {
		audit.Bind(tx, actor)
		recs, err := tx.FindAllRecords(c.DetectionRules, dbx.In("id", ids...))
		if err != nil {
			return fmt.Errorf("find rules: %w", err)
		}
		if len(recs) != len(ids) {
			return badRequestError("Unknown rule among ids: nothing changed.")
		}
		for _, r := range recs {
			if c.AsDetectionRule(r).Enabled() == *in.Enabled {
				continue
			}
			c.AsDetectionRule(r).SetEnabled(*in.Enabled)
			if err := tx.Save(r); err != nil {
				return fmt.Errorf("save rule %s: %w", r.Id, err)
			}
			n++
		}
		return nil
	})
	if err != nil {
		return domainError(e, err)
	}
	return e.JSON(http.StatusOK, map[string]int{"updated": n})
}

func conflictError(msg string) error {
	return router.NewApiError(http.StatusConflict, msg, nil)
}

func badRequestError(msg string) error {
	return router.NewBadRequestError(msg, nil)
}

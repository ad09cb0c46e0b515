package campaigns

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/audit"
	"github.com/aegis-sec/aegis/internal/workflow"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
)

// Plan is the campaign to create around a list of techniques.
type Plan struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Platforms   []string `json:"platforms"`
	Blind       bool     `json:"blind"`
	Tags        []string `json:"tags"`
	Recurrence  string   `json:"recurrence"`
	threatActor string
	attackCamp  string
}

// Generated is a new campaign with its draft tests.
type Generated struct {
	Campaign *core.Record   `json:"campaign"`
	Tests    []*core.Record `json:"tests"`
	// Skipped lists the techniques asked for that got no test, with why.
	Skipped []string `json:"skipped"`
	// Preview is set instead of Campaign and Tests by a preview.
	Preview []PreviewTest `json:"preview,omitempty"`
}

// MaxTests bounds one generated campaign.
const MaxTests = 5000

func canPlan(actor workflow.Actor) error {
	if !actor.Is(c.RoleAdmin, c.RoleRedLead) {
		return router.NewForbiddenError("Only red leads and admins plan campaigns.", nil)
	}
	return nil
}

// generate creates the campaign and one draft test per technique, in one
// transaction. Techniques that are revoked, deprecated or run on none of
// the plan's platforms are skipped.
// generate saves plan as a campaign with a draft test per technique of
// techs (once each; revoked, deprecated or off the plan's platforms are
// skipped, with why) and audits it with source's details.
func generate(tx core.App, actor workflow.Actor, plan Plan, techs []*core.Record, skipped []string, source map[string]any) (Generated, error) {
	out := Generated{Skipped: skipped}
	if out.Skipped == nil {
		out.Skipped = []string{}
	}
	if strings.TrimSpace(plan.Name) == "" {
		return out, missing("name")
	}
	camp, err := saveCampaign(tx, actor, plan)
	if err != nil {
		return out, err
	}
	out.Campaign = camp
	seen := map[string]bool{}
	for _, tech := range techs {
		tq := c.AsTechnique(tech)
		id := tq.AttackId()
		if seen[id] {
			continue
		}
		seen[id] = true
		if tq.Revoked() || tq.Deprecated() {
			out.Skipped = append(out.Skipped, id+": revoked or deprecated")
			continue
		}
		platform, ok := planPlatform(tech, plan.Platforms)
		if !ok {
			out.Skipped = append(out.Skipped, id+": not on "+strings.Join(plan.Platforms, ", "))
			continue
		}
		if len(out.Tests) >= MaxTests {
			return out, router.NewApiError(http.StatusBadRequest, fmt.Sprintf("A campaign holds at most %d tests.", MaxTests), nil)
		}
		t, err := draftTest(tx, camp.Id, tech, platform)
		if err != nil {
			return out, err
		}
		out.Tests = append(out.Tests, t)
	}
	details := map[string]any{"tests": len(out.Tests), "skipped": len(out.Skipped)}
	for k, v := range source {
		details[k] = v
	}
	err = audit.Write(tx, audit.Entry{Actor: actor.Id, ActorName: actor.Name, ActorKind: actor.AuditKind(),
		Action: "generate", Collection: c.Campaigns, RecordId: camp.Id, Details: details, IP: actor.IP})
	return out, err
}

// saveCampaign creates the planned campaign of plan, owned by actor (none
// for a superuser), at round 1 of the current ATT&CK version.
func saveCampaign(tx core.App, actor workflow.Actor, plan Plan) (*core.Record, error) {
	col, err := tx.FindCachedCollectionByNameOrId(c.Campaigns)
	if err != nil {
		return nil, err
	}
	camp := core.NewRecord(col)
	cp := c.AsCampaign(camp)
	cp.SetName(strings.TrimSpace(plan.Name))
	cp.SetDescription(plan.Description)
	cp.SetThreatActor(plan.threatActor)
	if plan.attackCamp != "" {
		cp.Set("attack_campaign", plan.attackCamp)
	}
	if !actor.Superuser() {
		cp.SetOwner(actor.Id)
	}
	cp.SetBlind(plan.Blind)
	cp.SetPlatforms(nonNil(plan.Platforms))
	cp.SetTags(nonNil(plan.Tags))
	cp.SetRecurrence(plan.Recurrence)
	cp.SetStatus(StatusPlanned)
	cp.SetRound(1)
	cp.SetAttackVersion(attackVersion(tx))
	if err := tx.Save(camp); err != nil {
		return nil, fmt.Errorf("save campaign: %w", err)
	}
	return camp, nil
}

// planPlatform is the first of the plan's platforms that tech runs on ("",
// true when the plan names none; false when tech runs on none of them).
func planPlatform(tech *core.Record, platforms []string) (string, bool) {
	if len(platforms) == 0 {
		return "", true
	}
	tp := platformsOf(tech, "platforms")
	for _, p := range platforms {
		if hasPlatform(tp, p) {
			return p, true
		}
	}
	return "", false
}

// draftTest saves a draft test of tech on platform in campaign campID,
// running the technique's best template when it has one.
func draftTest(tx core.App, campID string, tech *core.Record, platform string) (*core.Record, error) {
	tq := c.AsTechnique(tech)
	id := tq.AttackId()
	t, err := workflow.NewDraft(tx, nil, campID)
	if err != nil {
		return nil, err
	}
	test := c.AsTest(t)
	test.SetTechnique(tech.Id)
	test.SetPlatform(platform)
	test.SetName(strings.TrimSpace(id + " " + tq.Name()))
	tpl, err := BestTemplate(tx, tech.Id, platform)
	if err != nil {
		return nil, err
	}
	if tpl != nil {
		test.SetTemplate(tpl.Id)
		test.SetName(strings.TrimSpace(id + " " + c.AsTestTemplate(tpl).Name()))
		test.SetProcedure(ProcedureFrom(tpl))
	}
	if err := tx.Save(t); err != nil {
		return nil, fmt.Errorf("save test for %s: %w", id, err)
	}
	return t, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// attackVersion is the newest imported enterprise ATT&CK release, pinned on
// the campaign so later upgrades can be reviewed against it.
func attackVersion(tx core.App) string {
	var v struct {
		Version string `db:"version"`
	}
	err := tx.DB().Select("version").From(c.AttackReleases).
		Where(dbx.HashExp{"domain": "enterprise-attack"}).OrderBy("imported_at DESC").Limit(1).One(&v)
	if err != nil {
		return ""
	}
	return v.Version
}

// cleanPlatforms trims, drops empties and duplicates (case-insensitively).
func cleanPlatforms(in []string) []string {
	var out []string
	for _, p := range in {
		p = strings.TrimSpace(p)
		if p != "" && !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, p) }) {
			out = append(out, p)
		}
	}
	return out
}

// FromActorInput is the body of POST /api/aegis/campaigns/from-actor.
type FromActorInput struct {
	Actor string `json:"actor"` // record id or ATT&CK id (G0016)
	// Preview plans the campaign and writes nothing: the answer lists the
	// tests it would create, each with its template and why.
	Preview bool `json:"preview"`
	Plan
}

// PreviewTest is one test a previewed campaign would create.
type PreviewTest struct {
	Technique string `json:"technique"` // ATT&CK id
	Name      string `json:"name"`
	Platform  string `json:"platform"`
	Template  string `json:"template"` // "" when none fits
	Source    string `json:"source"`
	Why       string `json:"why"`
}

// errPreview rolls a preview's transaction back.
var errPreview = errors.New("preview: nothing written")

// FromActor plans a campaign emulating a threat actor: one draft test per
// technique the actor uses (filtered by platform when given), each
// prefilled from the best template for that platform.
func FromActor(app core.App, actor workflow.Actor, in FromActorInput) (Generated, error) {
	if err := canPlan(actor); err != nil {
		return Generated{}, err
	}
	ref := strings.TrimSpace(in.Actor)
	if ref == "" {
		return Generated{}, missing("actor")
	}
	ta, err := app.FindRecordById(c.ThreatActors, ref)
	if err != nil {
		ta, err = app.FindFirstRecordByFilter(c.ThreatActors, "attack_id = {:a}", dbx.Params{"a": strings.ToUpper(ref)})
		if err != nil {
			return Generated{}, router.NewNotFoundError("Threat actor "+ref+" not found.", nil)
		}
	}
	in.Plan.Platforms = cleanPlatforms(in.Plan.Platforms)
	if strings.TrimSpace(in.Name) == "" {
		in.Name = ta.GetString("name") + " emulation"
	}
	in.threatActor = ta.Id
	var techs []*core.Record
	err = app.RecordQuery(c.Techniques).
		InnerJoin(c.ActorTechniques+" at", dbx.NewExp("at.technique = techniques.id")).
		Where(dbx.HashExp{"at.actor": ta.Id}).
		OrderBy("techniques.attack_id ASC").All(&techs)
	if err != nil {
		return Generated{}, fmt.Errorf("techniques of %s: %w", ta.GetString("attack_id"), err)
	}
	var out Generated
	err = app.RunInTransaction(func(tx core.App) error {
		audit.Bind(tx, actor)
		g, err := generate(tx, actor, in.Plan, techs, nil, map[string]any{"actor": ta.GetString("attack_id")})
		out = g
		if err == nil && in.Preview {
			out.Preview = previewOf(tx, techs, g.Tests, in.Plan.Platforms)
			return errPreview
		}
		return err
	})
	if errors.Is(err, errPreview) {
		out.Campaign, out.Tests = nil, []*core.Record{}
		return out, nil
	}
	return out, err
}

// previewOf explains each generated test: technique, template and why that
// template (or why none).
func previewOf(tx core.App, techs, tests []*core.Record, platforms []string) []PreviewTest {
	byId := map[string]*core.Record{}
	for _, t := range techs {
		byId[t.Id] = t
	}
	out := make([]PreviewTest, 0, len(tests))
	for _, t := range tests {
		p := PreviewTest{Name: c.AsTest(t).Name(), Platform: c.AsTest(t).Platform()}
		if tech := byId[c.AsTest(t).Technique()]; tech != nil {
			p.Technique = c.AsTechnique(tech).AttackId()
		}
		on := "any platform"
		if p.Platform != "" {
			on = p.Platform
		}
		if tplId := c.AsTest(t).Template(); tplId != "" {
			if tpl, err := tx.FindRecordById(c.TestTemplates, tplId); err == nil {
				tp := c.AsTestTemplate(tpl)
				p.Template, p.Source = tp.Name(), tp.Source()
				p.Why = fmt.Sprintf("%s template for %s", tp.Source(), on)
				if commandOf(tpl) != "" {
					p.Why += ", with a command"
				}
				if len(platforms) > 1 && p.Platform != "" {
					p.Why += " (the first target platform the technique runs on)"
				}
			}
		} else {
			p.Why = "no library template for " + on + ": write the procedure by hand"
		}
		out = append(out, p)
	}
	return out
}

// FromAttackCampaignInput is the body of POST
// /api/aegis/campaigns/from-attack-campaign.
type FromAttackCampaignInput struct {
	Campaign string `json:"attack_campaign"` // record id or ATT&CK id (C0024)
	Plan
}

// FromAttackCampaign plans an emulation of an ATT&CK campaign exactly as
// FromActor plans one of a group: one draft test per technique the campaign
// used (filtered by platform when given), each prefilled from the best
// template. The plan points at the ATT&CK campaign and, when ATT&CK
// attributes it to one group, at that group too.
func FromAttackCampaign(app core.App, actor workflow.Actor, in FromAttackCampaignInput) (Generated, error) {
	if err := canPlan(actor); err != nil {
		return Generated{}, err
	}
	ref := strings.TrimSpace(in.Campaign)
	if ref == "" {
		return Generated{}, missing("attack_campaign")
	}
	ac, err := app.FindRecordById(c.AttackCampaigns, ref)
	if err != nil {
		ac, err = app.FindFirstRecordByFilter(c.AttackCampaigns, "attack_id = {:a}", dbx.Params{"a": strings.ToUpper(ref)})
		if err != nil {
			return Generated{}, router.NewNotFoundError("ATT&CK campaign "+ref+" not found.", nil)
		}
	}
	in.Plan.Platforms = cleanPlatforms(in.Plan.Platforms)
	if strings.TrimSpace(in.Name) == "" {
		in.Name = ac.GetString("name") + " emulation"
	}
	if in.Description == "" {
		in.Description = "Emulates ATT&CK campaign " + ac.GetString("attack_id") + " " + ac.GetString("name") + "."
	}
	in.attackCamp = ac.Id
	if groups := ac.GetStringSlice("actors"); len(groups) == 1 {
		in.threatActor = groups[0]
	}
	ids := ac.GetStringSlice("techniques")
	techs := []*core.Record{}
	if len(ids) > 0 {
		list := make([]any, len(ids))
		for i, id := range ids {
			list[i] = id
		}
		if err := app.RecordQuery(c.Techniques).Where(dbx.In("id", list...)).OrderBy("attack_id ASC").All(&techs); err != nil {
			return Generated{}, fmt.Errorf("techniques of %s: %w", ac.GetString("attack_id"), err)
		}
	}
	var out Generated
	err = app.RunInTransaction(func(tx core.App) error {
		audit.Bind(tx, actor)
		g, err := generate(tx, actor, in.Plan, techs, nil, map[string]any{"attack_campaign": ac.GetString("attack_id")})
		out = g
		return err
	})
	return out, err
}

package vectrbundle

import (
	"context"
	"crypto/sha1"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers/internal/store"
	"github.com/aegis-sec/aegis/importers/internal/vectrtests"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// ErrNoCampaign is returned when a requested campaign does not exist.
var ErrNoCampaign = errors.New("campaign not found")

// migrationVersion is the VECTR data version the published bundles carry.
const migrationVersion = "39"

// ExportOptions select what Export writes.
type ExportOptions struct {
	Campaigns      []string // campaign record ids; empty = every campaign
	HideUnrevealed bool     // leave out unrevealed tests of blind campaigns (blue callers)
}

type expCampaign struct {
	ID          string `db:"id"`
	Name        string `db:"name"`
	Description string `db:"description"`
	Tags        string `db:"tags"`
	ImportKey   string `db:"import_key"`
	Created     string `db:"created"`
	Updated     string `db:"updated"`
}

type expTest struct {
	ID            string `db:"id"`
	Campaign      string `db:"campaign"`
	Name          string `db:"name"`
	Technique     string `db:"technique"`
	RawAttackID   string `db:"technique_attack_id"`
	Procedure     string `db:"procedure"`
	State         string `db:"state"`
	Prevention    string `db:"prevention"`
	Detection     string `db:"detection"`
	AlertSeverity string `db:"alert_severity"`
	BlueNotes     string `db:"blue_notes"`
	Tags          string `db:"tags"`
	ImportKey     string `db:"import_key"`
	Created       string `db:"created"`
	Updated       string `db:"updated"`
}

type expTechnique struct {
	ID       string `db:"id"`
	AttackID string `db:"attack_id"`
	Name     string `db:"name"`
	Tactics  string `db:"tactics"`
}

type expTactic struct {
	ID        string `db:"id"`
	Shortname string `db:"shortname"`
	Name      string `db:"name"`
	Order     int    `db:"matrix_order"`
}

// Export writes campaigns and their tests as a VECTR bundle: the object
// types and fields of the bundles VECTR publishes (assessment group,
// campaigns, test cases, phases, kill chain, red products, expected
// detection layers, share), stable vectrIds (the imported ones, else derived
// from the Aegis record ids) and outcomes mapped back with the VECTR
// importers' table. Reading the bundle back gives the same campaigns, tests
// and outcomes.
func Export(ctx context.Context, app core.App, opts ExportOptions, w io.Writer) error {
	q := app.DB().NewQuery(`SELECT [[id]], [[name]], [[description]], ifnull([[tags]], '') AS tags, [[import_key]],
		[[created]], [[updated]] FROM {{campaigns}} ORDER BY [[created]], [[id]]`)
	var all []expCampaign
	if err := q.All(&all); err != nil {
		return fmt.Errorf("export vectr bundle: read campaigns: %w", err)
	}
	camps := all
	if len(opts.Campaigns) > 0 {
		byID := map[string]expCampaign{}
		for _, c := range all {
			byID[c.ID] = c
		}
		camps = nil
		seen := map[string]bool{}
		for _, id := range opts.Campaigns {
			c, ok := byID[id]
			if !ok {
				return fmt.Errorf("%w: %s", ErrNoCampaign, id)
			}
			if !seen[id] {
				seen[id] = true
				camps = append(camps, c)
			}
		}
	}
	techs, tactics, err := loadCatalogue(app)
	if err != nil {
		return err
	}
	resolver, err := store.LoadTechniques(app)
	if err != nil {
		return fmt.Errorf("export vectr bundle: %w", err)
	}

	x := &exporter{resolver: resolver, tactics: tactics, phases: map[string]map[string]any{}, redProducts: map[string]string{},
		layers: map[string]string{}}
	groupName := commonGroup(camps)
	bundleID := uuidFrom("bundle:" + groupName + ":" + strings.Join(ids(camps), ","))
	groupID := uuidFrom("group:" + groupName)
	var campaignObjs, testObjs []map[string]any
	var allIDs []string
	campaignIDs := []string{}
	for _, c := range camps {
		if err := ctx.Err(); err != nil {
			return err
		}
		var tests []expTest
		where := "[[campaign]] = {:c}"
		if opts.HideUnrevealed {
			where += " AND [[revealed]] = 1"
		}
		err := app.DB().NewQuery(`SELECT [[id]], [[campaign]], [[name]], [[technique]], [[technique_attack_id]], [[procedure]],
			[[state]], [[prevention]], [[detection]], [[alert_severity]], [[blue_notes]], ifnull([[tags]], '') AS tags,
			[[import_key]], [[created]], [[updated]] FROM {{tests}} WHERE ` + where + ` ORDER BY [[created]], [[id]]`).
			Bind(dbx.Params{"c": c.ID}).All(&tests)
		if err != nil {
			return fmt.Errorf("export vectr bundle: read tests of %s: %w", c.ID, err)
		}
		cid := campaignVectrID(c)
		campaignIDs = append(campaignIDs, cid)
		var tcIDs []string
		for _, t := range tests {
			obj := x.testCase(t, techs, bundleID)
			tcIDs = append(tcIDs, obj["vectrId"].(string))
			testObjs = append(testObjs, obj)
		}
		allIDs = append(allIDs, cid)
		campaignObjs = append(campaignObjs, x.campaign(c, cid, tcIDs, bundleID))
	}
	for _, t := range testObjs {
		allIDs = append(allIDs, t["vectrId"].(string))
	}

	objects := []map[string]any{common(TypeAssessmentGroup, groupID, bundleID, map[string]any{
		"name": groupName, "description": "Exported from Aegis.", "assessmentIds": campaignIDs,
		"assessmentType": "Campaign", "killChainId": killChainID})}
	objects = append(objects, campaignObjs...)
	objects = append(objects, testObjs...)
	objects = append(objects, x.rest(bundleID)...)
	allIDs = append([]string{groupID}, allIDs...)
	objects = append(objects, map[string]any{"shareId": bundleID, "migrationVersion": migrationVersion,
		"type": TypeShare, "id": TypeShare + "--" + bundleID, "parentId": groupID, "parentType": TypeAssessmentGroup,
		"comment": nil, "vectrIdList": allIDs})

	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(map[string]any{"type": "bundle", "id": bundleID, "spec_version": "2.0", "objects": objects}); err != nil {
		return fmt.Errorf("export vectr bundle: write: %w", err)
	}
	return nil
}

var killChainID = uuidFrom("killchain:aegis-attack")

type exporter struct {
	resolver    *store.Index
	tactics     map[string]expTactic
	phases      map[string]map[string]any // phase vectrId → object
	redProducts map[string]string         // vectrId → name
	layers      map[string]string
}

func (x *exporter) campaign(c expCampaign, id string, tcIDs []string, bundleID string) map[string]any {
	if tcIDs == nil {
		tcIDs = []string{}
	}
	desc := any(c.Description)
	if c.Description == "" {
		desc = nil
	}
	o := common(TypeCampaign, id, bundleID, map[string]any{
		"name": c.Name, "description": desc, "targetAssetIds": []string{}, "expectedDetectionLayerIds": []string{},
		"todos": []string{}, "assessmentType": "Campaign", "testCaseIds": tcIDs, "metadata": map[string]any{},
		"organizationIds": []string{}, "sourceIPIds": []string{}})
	o["createTime"], o["updateTime"] = epochMillis(c.Created), epochMillis(c.Updated)
	return o
}

func (x *exporter) testCase(t expTest, techs map[string]expTechnique, bundleID string) map[string]any {
	id := testVectrID(t)
	tech := techs[t.Technique]
	// The id the test was imported with while it still names the same
	// technique (a revoked id keeps its VECTR spelling), else the current one.
	attackID := tech.AttackID
	if attackID == "" || (t.RawAttackID != "" && x.resolver.ID(t.RawAttackID) == t.Technique) {
		attackID = t.RawAttackID
	}
	var tags []string
	_ = json.Unmarshal([]byte(t.Tags), &tags)
	phaseID := x.phase(tags, tech)
	redTools, layerIDs := []string{}, []string{}
	for _, tag := range tags {
		switch {
		case strings.HasPrefix(tag, TagRedTool):
			n := strings.TrimPrefix(tag, TagRedTool)
			pid := uuidFrom("redproduct:" + n)
			x.redProducts[pid] = n
			redTools = append(redTools, pid)
		case strings.HasPrefix(tag, TagExpected):
			n := strings.TrimPrefix(tag, TagExpected)
			lid := uuidFrom("layer:" + n)
			x.layers[lid] = n
			layerIDs = append(layerIDs, lid)
		}
	}
	recorded := (t.State == collections.StateValidated || t.State == collections.StateClosed) && (t.Prevention != "" || t.Detection != "")
	alert := t.Detection == "technique" || t.Detection == "tactic" || t.Detection == "general"
	logged := alert || t.Detection == "telemetry"
	severity := vectrtests.OutcomeTBD
	if recorded {
		severity = vectrtests.SeverityName(t.AlertSeverity)
	}
	notes := any(t.BlueNotes)
	if t.BlueNotes == "" {
		notes = nil
	}
	blueMeta := []KVOut{}
	if recorded {
		blueMeta = append(blueMeta, KVOut{MetaPrevention, t.Prevention}, KVOut{MetaDetection, t.Detection})
	}
	o := common(TypeTestCase, id, bundleID, map[string]any{
		"name": nil, "phaseId": phaseID, "templateId": id, "icon": "icons/target.svg",
		"redTeam": map[string]any{
			"trueAttackStartTimelineId": nil, "trueAttackEndTimelineId": nil,
			"status": vectrtests.StatusName(t.State), "method": orDefault(tech.Name, attackID), "variant": t.Name,
			"objective": t.Procedure, "command": "", "likelihood": nil, "risk": nil, "internalExternal": nil,
			"stealth": nil, "attackVector": nil, "attackComplexity": nil, "privilegesRequired": nil,
			"redTeamProductIds": redTools, "targetAssets": []string{}, "sourceIps": []string{}, "capecId": nil,
			"metadata": []KVOut{{MetaState, t.State}}, "references": []string{}, "mitreId": attackID,
		},
		"blueTeam": map[string]any{
			"successfulDetectionBehaviors": []string{}, "expectedDetectionLayerIds": layerIDs, "blueTeamProductIds": []string{},
			"outcomeNotes": notes, "trueDetectionTimelineId": nil, "alertSeverity": severity,
			"alertTriggered": vectrtests.YesNo(alert, recorded), "activityLogged": vectrtests.YesNo(logged, recorded),
			"outcomes": []string{vectrtests.OutcomeName(t.State, t.Prevention, t.Detection)},
			"metadata": blueMeta, "detections": []string{},
		},
		"evidenceFiles": []string{}, "organizationIds": []string{},
	})
	o["createTime"], o["updateTime"] = epochMillis(t.Created), epochMillis(t.Updated)
	return o
}

// KVOut is one metadata entry as VECTR writes it.
type KVOut struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// phase returns the vectrId of the test's phase: its tactic tag, else its
// VECTR phase tag, else its technique's first tactic in matrix order.
func (x *exporter) phase(tags []string, tech expTechnique) string {
	name, short := "", ""
	for _, tag := range tags {
		if strings.HasPrefix(tag, TagTactic) && short == "" {
			short = strings.TrimPrefix(tag, TagTactic)
		}
		if strings.HasPrefix(tag, TagPhase) && name == "" {
			name = strings.TrimPrefix(tag, TagPhase)
		}
	}
	if short == "" && name == "" {
		var ids []string
		_ = json.Unmarshal([]byte(tech.Tactics), &ids)
		best := -1
		for _, tid := range ids {
			if ta, ok := x.tactics[tid]; ok && (best < 0 || ta.Order < best) {
				best, short = ta.Order, ta.Shortname
			}
		}
	}
	mitre := []string{}
	if short != "" {
		name = short
		for _, ta := range x.tactics {
			if ta.Shortname == short {
				name = ta.Name
				break
			}
		}
		mitre = append(mitre, MitreTactic(short))
	}
	if name == "" {
		return ""
	}
	// A VECTR phase that named no tactic of its technique is another phase
	// than the tactic of the same name.
	id := uuidFrom("phase:" + name + ":" + strings.Join(mitre, ","))
	if x.phases[id] == nil {
		x.phases[id] = map[string]any{"name": name, "mitreTactics": mitre}
	}
	return id
}

// rest is the phases, kill chain, red products and layers the test cases
// refer to, in a stable order.
func (x *exporter) rest(bundleID string) []map[string]any {
	var out []map[string]any
	phaseIDs := sortedKeys(x.phases)
	for _, id := range phaseIDs {
		p := x.phases[id]
		name := p["name"].(string)
		out = append(out, common(TypePhase, id, bundleID, map[string]any{"name": name, "description": nil,
			"abbreviation": strings.ToUpper(strings.ReplaceAll(name, " ", "-")), "active": true, "system": false,
			"mitreTactics": p["mitreTactics"]}))
	}
	out = append(out, common(TypeKillChain, killChainID, bundleID, map[string]any{"name": "Aegis ATT&CK",
		"description": "Phases of the tests exported from Aegis (ATT&CK tactics).", "phases": phaseIDs, "system": false}))
	for _, id := range sortedKeys(x.redProducts) {
		out = append(out, common(TypeRedProduct, id, bundleID, map[string]any{"name": x.redProducts[id], "version": "tbd",
			"description": nil, "applicablePhaseIds": []string{}, "expectedDetectionLayerIds": []string{},
			"primarySecondary": "Primary", "vendorId": nil, "analysisEngine": false, "color": ""}))
	}
	for _, id := range sortedKeys(x.layers) {
		out = append(out, common(TypeLayer, id, bundleID, map[string]any{"name": x.layers[id], "description": nil}))
	}
	return out
}

// common adds the fields every x-vectr-io object carries.
func common(typ, id, shareID string, fields map[string]any) map[string]any {
	o := map[string]any{"type": typ, "id": typ + "--" + id, "vectrId": id, "offset": 0, "createTime": nil,
		"updateTime": nil, "deprecated": false, "deprecationTime": 0.0, "tagIds": []string{}, "importTime": nil,
		"importEvent": nil, "shareId": shareID, "migrationVersion": migrationVersion}
	for k, v := range fields {
		o[k] = v
	}
	return o
}

func campaignVectrID(c expCampaign) string {
	if id, ok := strings.CutPrefix(c.ImportKey, "vectr-bundle:campaign:"); ok && id != "" && !strings.HasPrefix(id, "unplaced:") {
		return id
	}
	return uuidFrom("campaign:" + c.ID)
}

func testVectrID(t expTest) string {
	if rest, ok := strings.CutPrefix(t.ImportKey, "vectr-bundle:"); ok && !strings.HasPrefix(rest, "campaign:") {
		if i := strings.LastIndexByte(rest, ':'); i >= 0 && i+1 < len(rest) {
			return rest[i+1:]
		}
	}
	return uuidFrom("test:" + t.ID)
}

// commonGroup is the assessment group the campaigns were imported with when
// they share one (their second tag after "vectr"), else "Aegis export".
func commonGroup(camps []expCampaign) string {
	group := ""
	for i, c := range camps {
		var tags []string
		_ = json.Unmarshal([]byte(c.Tags), &tags)
		g := ""
		if len(tags) >= 2 && tags[0] == TagVectr {
			g = tags[1]
		}
		if i == 0 {
			group = g
		} else if g != group {
			group = ""
		}
	}
	if group == "" {
		return "Aegis export"
	}
	return group
}

func loadCatalogue(app core.App) (map[string]expTechnique, map[string]expTactic, error) {
	var techs []expTechnique
	if err := app.DB().NewQuery(`SELECT [[id]], [[attack_id]], [[name]], ifnull([[tactics]], '') AS tactics FROM {{techniques}}`).
		All(&techs); err != nil {
		return nil, nil, fmt.Errorf("export vectr bundle: read techniques: %w", err)
	}
	var tacs []expTactic
	if err := app.DB().NewQuery(`SELECT [[id]], [[shortname]], [[name]], [[matrix_order]] FROM {{tactics}}`).All(&tacs); err != nil {
		return nil, nil, fmt.Errorf("export vectr bundle: read tactics: %w", err)
	}
	tm := make(map[string]expTechnique, len(techs))
	for _, t := range techs {
		tm[t.ID] = t
	}
	am := make(map[string]expTactic, len(tacs))
	for _, t := range tacs {
		am[t.ID] = t
	}
	return tm, am, nil
}

// uuidFrom derives a stable RFC 4122 version 5 style id from a name, so the
// same Aegis record always exports with the same vectrId.
func uuidFrom(name string) string {
	h := sha1.Sum([]byte("aegis-vectr:" + name))
	h[6] = (h[6] & 0x0f) | 0x50
	h[8] = (h[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

func epochMillis(s string) any {
	d, err := types.ParseDateTime(s)
	if err != nil || d.IsZero() {
		return nil
	}
	return float64(d.Time().UnixMilli())
}

func ids(camps []expCampaign) []string {
	out := make([]string, len(camps))
	for i, c := range camps {
		out[i] = c.ID
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

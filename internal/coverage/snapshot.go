package coverage

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/klauspost/compress/zstd"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Totals is the headline of a snapshot.
type Totals struct {
	Score         float64  `json:"score"`
	Level         string   `json:"level"`
	V             *float64 `json:"V"`
	R             *float64 `json:"R"`
	M             *float64 `json:"M"`
	InScope       int      `json:"in_scope"`
	Validated     int      `json:"validated"`
	Good          int      `json:"good"`
	Weak          int      `json:"weak"`
	Techniques    int      `json:"techniques"` // scored, sub-techniques included
	AttackVersion string   `json:"attack_version,omitempty"`
}

// TacticPoint is one tactic's score in a snapshot.
type TacticPoint struct {
	ID        string  `json:"id"`
	AttackID  string  `json:"attack_id"`
	Shortname string  `json:"shortname"`
	Name      string  `json:"name"`
	Score     float64 `json:"score"`
}

// TechniquePoint is one technique's effective score in a snapshot; short
// keys keep the compressed vector small.
type TechniquePoint struct {
	AttackID string   `json:"a"`
	Score    float64  `json:"s"`
	Level    string   `json:"l"`
	V        *float64 `json:"v,omitempty"`
	R        *float64 `json:"r,omitempty"`
	M        *float64 `json:"m,omitempty"`
}

// Snapshot is a point-in-time copy of the coverage.
type Snapshot struct {
	ID          string           `json:"id"`
	TakenAt     time.Time        `json:"taken_at"`
	Trigger     string           `json:"trigger"`
	Label       string           `json:"label,omitempty"`
	Totals      Totals           `json:"totals"`
	ByTactic    []TacticPoint    `json:"by_tactic"`
	ByTechnique []TechniquePoint `json:"by_technique,omitempty"`
}

var (
	zenc, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault))
	zdec, _ = zstd.NewReader(nil, zstd.WithDecoderMaxMemory(64<<20))
)

// EncodeVector compresses the per-technique vector: JSON, zstd, base64.
func EncodeVector(points []TechniquePoint) (string, error) {
	raw, err := json.Marshal(points)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(zenc.EncodeAll(raw, nil)), nil
}

// DecodeVector reverses EncodeVector.
func DecodeVector(s string) ([]TechniquePoint, error) {
	if s == "" {
		return nil, nil
	}
	z, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("snapshot vector: %w", err)
	}
	raw, err := zdec.DecodeAll(z, nil)
	if err != nil {
		return nil, fmt.Errorf("snapshot vector: %w", err)
	}
	var pts []TechniquePoint
	if err := json.Unmarshal(raw, &pts); err != nil {
		return nil, fmt.Errorf("snapshot vector: %w", err)
	}
	return pts, nil
}

// BuildSnapshot derives a snapshot from a result (no database access).
func BuildSnapshot(r *Result, domain, trigger, label string) *Snapshot {
	s := r.Data.Settings
	ov := r.Overall(domain)
	snap := &Snapshot{TakenAt: r.Data.Now, Trigger: trigger, Label: label,
		Totals: Totals{Score: round(ov.Score, 4), Level: ov.Level, V: round4(ov.V), R: round4(ov.R), M: round4(ov.M),
			InScope: ov.Techniques, Validated: ov.Validated, Good: ov.Good, Weak: ov.Weak,
			AttackVersion: r.Data.AttackVersion},
		ByTactic: []TacticPoint{}}
	for _, g := range r.Tactics(domain, false) {
		sn, _ := g.Extra["shortname"].(string)
		snap.ByTactic = append(snap.ByTactic, TacticPoint{ID: g.ID, AttackID: g.Ref, Shortname: sn, Name: g.Name, Score: round(g.Score, 4)})
	}
	for i := range r.Data.Techniques {
		t := &r.Data.Techniques[i]
		if t.Retired || t.AttackID == "" {
			continue
		}
		sc := r.Effective(t.ID)
		snap.ByTechnique = append(snap.ByTechnique, TechniquePoint{AttackID: t.AttackID, Score: round(sc.Score, 2),
			Level: sc.Level, V: round4(sc.V), R: round4(sc.R), M: round4(sc.M)})
	}
	sort.Slice(snap.ByTechnique, func(i, j int) bool { return snap.ByTechnique[i].AttackID < snap.ByTechnique[j].AttackID })
	snap.Totals.Techniques = len(snap.ByTechnique)
	_ = s
	return snap
}

// Take computes the current coverage and stores it as a snapshot.
func Take(app core.App, trigger, label string) (*Snapshot, error) {
	r, err := For(app).Result(Options{})
	if err != nil {
		return nil, err
	}
	snap := BuildSnapshot(r, "enterprise-attack", trigger, label)
	snap.TakenAt = time.Now().UTC()
	vec, err := EncodeVector(snap.ByTechnique)
	if err != nil {
		return nil, err
	}
	col, err := app.FindCachedCollectionByNameOrId(collections.CoverageSnapshots)
	if err != nil {
		return nil, err
	}
	rec := core.NewRecord(col)
	dt, _ := types.ParseDateTime(snap.TakenAt)
	rec.Set("taken_at", dt)
	rec.Set("trigger", trigger)
	rec.Set("label", label)
	rec.Set("totals", snap.Totals)
	rec.Set("by_tactic", snap.ByTactic)
	rec.Set("by_technique", vec)
	if err := app.Save(rec); err != nil {
		return nil, fmt.Errorf("save snapshot: %w", err)
	}
	snap.ID = rec.Id
	return snap, nil
}

// ErrNoSnapshot is returned when a snapshot does not exist.
var ErrNoSnapshot = errors.New("snapshot not found")

type snapRow struct {
	ID          string `db:"id"`
	TakenAt     string `db:"taken_at"`
	Trigger     string `db:"trigger"`
	Label       string `db:"label"`
	Totals      string `db:"totals"`
	ByTactic    string `db:"by_tactic"`
	ByTechnique string `db:"by_technique"`
}

func (row snapRow) snapshot(withVector bool) (*Snapshot, error) {
	s := &Snapshot{ID: row.ID, TakenAt: ParseTime(row.TakenAt), Trigger: row.Trigger, Label: row.Label, ByTactic: []TacticPoint{}}
	if row.Totals != "" {
		_ = json.Unmarshal([]byte(row.Totals), &s.Totals)
	}
	if row.ByTactic != "" {
		_ = json.Unmarshal([]byte(row.ByTactic), &s.ByTactic)
	}
	if withVector {
		v, err := DecodeVector(row.ByTechnique)
		if err != nil {
			return nil, err
		}
		s.ByTechnique = v
	}
	return s, nil
}

// LoadSnapshot reads one snapshot with its vector.
func LoadSnapshot(app core.App, id string) (*Snapshot, error) {
	var row snapRow
	err := app.DB().NewQuery("SELECT id, taken_at, trigger, label, totals, by_tactic, by_technique FROM coverage_snapshots WHERE id = {:id}").
		Bind(dbx.Params{"id": id}).One(&row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoSnapshot
	}
	if err != nil {
		return nil, err
	}
	return row.snapshot(true)
}

// SnapshotAsOf is the latest snapshot taken at or before t.
func SnapshotAsOf(app core.App, t time.Time) (*Snapshot, error) {
	var row snapRow
	err := app.DB().NewQuery("SELECT id, taken_at, trigger, label, totals, by_tactic, by_technique FROM coverage_snapshots WHERE taken_at <= {:t} ORDER BY taken_at DESC LIMIT 1").
		Bind(dbx.Params{"t": t.UTC().Format("2006-01-02 15:04:05.000Z")}).One(&row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoSnapshot
	}
	if err != nil {
		return nil, err
	}
	return row.snapshot(true)
}

// ListSnapshots returns snapshots (without vectors) oldest first, at most limit.
func ListSnapshots(app core.App, since time.Time, limit int) ([]*Snapshot, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	var rows []snapRow
	err := app.DB().NewQuery(`SELECT * FROM (SELECT id, taken_at, trigger, label, totals, by_tactic, '' AS by_technique
		FROM coverage_snapshots WHERE taken_at >= {:since} ORDER BY taken_at DESC LIMIT {:limit}) ORDER BY taken_at`).
		Bind(dbx.Params{"since": since.UTC().Format("2006-01-02 15:04:05.000Z"), "limit": limit}).All(&rows)
	if err != nil {
		return nil, err
	}
	out := make([]*Snapshot, 0, len(rows))
	for _, r := range rows {
		s, _ := r.snapshot(false)
		out = append(out, s)
	}
	return out, nil
}

// Delta is one technique's change between two points.
type Delta struct {
	AttackID string  `json:"attack_id"`
	Name     string  `json:"name,omitempty"`
	A        float64 `json:"a"`
	B        float64 `json:"b"`
	Delta    float64 `json:"delta"`
	LevelA   string  `json:"level_a"`
	LevelB   string  `json:"level_b"`
}

// Comparison is the delta view between two snapshots or two rounds.
type Comparison struct {
	A        any           `json:"a"`
	B        any           `json:"b"`
	Score    [2]float64    `json:"score"`
	Delta    float64       `json:"delta"`
	ByTactic []TacticDelta `json:"by_tactic"`
	Improved []Delta       `json:"improved"`
	Degraded []Delta       `json:"degraded"`
	Added    []string      `json:"added"`
	Removed  []string      `json:"removed"`
	Changes  []Delta       `json:"changes"`
}

// TacticDelta is one tactic's change.
type TacticDelta struct {
	Shortname string  `json:"shortname"`
	Name      string  `json:"name"`
	A         float64 `json:"a"`
	B         float64 `json:"b"`
	Delta     float64 `json:"delta"`
}

// Compare builds the delta between two vectors (names from the current model).
func Compare(d *Data, a, b []TechniquePoint, ta, tb []TacticPoint, scoreA, scoreB float64) *Comparison {
	names := map[string]string{}
	if d != nil {
		for i := range d.Techniques {
			names[d.Techniques[i].AttackID] = d.Techniques[i].Name
		}
	}
	c := &Comparison{Score: [2]float64{scoreA, scoreB}, Delta: round(scoreB-scoreA, 4), ByTactic: []TacticDelta{},
		Improved: []Delta{}, Degraded: []Delta{}, Added: []string{}, Removed: []string{}, Changes: []Delta{}}
	am := map[string]TechniquePoint{}
	for _, p := range a {
		am[p.AttackID] = p
	}
	bm := map[string]TechniquePoint{}
	for _, p := range b {
		bm[p.AttackID] = p
		pa, ok := am[p.AttackID]
		if !ok {
			c.Added = append(c.Added, p.AttackID)
			continue
		}
		if pa.Score != p.Score || pa.Level != p.Level {
			dl := Delta{AttackID: p.AttackID, Name: names[p.AttackID], A: pa.Score, B: p.Score, Delta: round(p.Score-pa.Score, 2),
				LevelA: pa.Level, LevelB: p.Level}
			c.Changes = append(c.Changes, dl)
		}
	}
	for _, p := range a {
		if _, ok := bm[p.AttackID]; !ok {
			c.Removed = append(c.Removed, p.AttackID)
		}
	}
	sort.Slice(c.Changes, func(i, j int) bool {
		if c.Changes[i].Delta != c.Changes[j].Delta {
			return c.Changes[i].Delta > c.Changes[j].Delta
		}
		return c.Changes[i].AttackID < c.Changes[j].AttackID
	})
	for _, dl := range c.Changes {
		if dl.Delta > 0 {
			c.Improved = append(c.Improved, dl)
		} else if dl.Delta < 0 {
			c.Degraded = append(c.Degraded, dl)
		}
	}
	sort.Slice(c.Degraded, func(i, j int) bool { return c.Degraded[i].Delta < c.Degraded[j].Delta })
	tam := map[string]TacticPoint{}
	for _, t := range ta {
		tam[t.Shortname] = t
	}
	for _, t := range tb {
		pa := tam[t.Shortname]
		c.ByTactic = append(c.ByTactic, TacticDelta{Shortname: t.Shortname, Name: t.Name, A: pa.Score, B: t.Score, Delta: round(t.Score-pa.Score, 4)})
	}
	return c
}

// CompareSnapshots loads two snapshots and compares them.
func CompareSnapshots(app core.App, a, b string) (*Comparison, error) {
	sa, err := LoadSnapshot(app, a)
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", a, err)
	}
	sb, err := LoadSnapshot(app, b)
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", b, err)
	}
	d, _ := For(app).Data()
	c := Compare(d, sa.ByTechnique, sb.ByTechnique, sa.ByTactic, sb.ByTactic, sa.Totals.Score, sb.Totals.Score)
	sa.ByTechnique, sb.ByTechnique = nil, nil
	c.A, c.B = sa, sb
	return c, nil
}

// Trend is the series of snapshots with the latest change explained, and
// the coverage now (computed, not stored) so that a trend starts on the
// first day, before any snapshot.
type Trend struct {
	Points  []*Snapshot `json:"points"`
	Latest  *Comparison `json:"latest_change,omitempty"`
	Current *Snapshot   `json:"current,omitempty"`
}

// Trends lists snapshots since a time and explains the last step. For a
// caller who may not see unrevealed blind tests (revealedOnly: blue roles)
// the current point leaves them out, and the explanation of the last step,
// which names the techniques that moved, is left out while any test is
// unrevealed (a blind run would show as its technique's change). The
// stored points are the organisation's totals.
func Trends(app core.App, since time.Time, limit int, revealedOnly bool) (*Trend, error) {
	pts, err := ListSnapshots(app, since, limit)
	if err != nil {
		return nil, err
	}
	t := &Trend{Points: pts}
	if r, err := For(app).Result(Options{RevealedOnly: revealedOnly}); err == nil {
		cur := BuildSnapshot(r, "enterprise-attack", "now", "")
		cur.TakenAt, cur.ByTechnique = r.Data.Now, nil
		if cur.Totals.InScope > 0 {
			t.Current = cur
		}
	}
	if revealedOnly && hasUnrevealed(app) {
		return t, nil
	}
	if n := len(pts); n >= 2 {
		if c, err := CompareSnapshots(app, pts[n-2].ID, pts[n-1].ID); err == nil {
			c.A, c.B = pts[n-2].ID, pts[n-1].ID
			t.Latest = c
		}
	}
	return t, nil
}

// hasUnrevealed tells whether the model holds a test of a blind campaign
// not yet revealed (true when it cannot tell).
func hasUnrevealed(app core.App) bool {
	r, err := For(app).Result(Options{})
	if err != nil {
		return true
	}
	for t := range r.Data.AllTests() {
		if !t.Revealed {
			return true
		}
	}
	return false
}

// AfterImport takes the snapshot that follows an import or a sync: only
// when the import changed something, labelled with its kind. A failure is
// logged, never the import's failure.
func AfterImport(app core.App, kind string, changed bool) *Snapshot {
	if !changed {
		return nil
	}
	snap, err := Take(app, collections.SnapshotImport, "after "+kind+" import")
	if err != nil {
		app.Logger().Warn("coverage snapshot after import failed", "kind", kind, "error", err)
		return nil
	}
	return snap
}

// SnapshotJob is the daily (and "run now") coverage snapshot job: it takes
// a snapshot labelled with the job trigger (schedule, manual, startup) and
// returns its stats for the job run record.
func SnapshotJob(ctx context.Context, app core.App, trigger string) (map[string]any, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if trigger == "" {
		trigger = "schedule"
	}
	start := time.Now()
	snap, err := Take(app, trigger, "")
	if err != nil {
		return nil, err
	}
	return map[string]any{"snapshot": snap.ID, "score": snap.Totals.Score, "techniques": len(snap.ByTechnique),
		"ms": time.Since(start).Milliseconds()}, nil
}

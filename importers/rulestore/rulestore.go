// Package rulestore writes detection rules parsed by the Sigma and Elastic
// importers into detection_rules. It upserts on (source, source_rule_id)
// with prepared raw SQL inside the caller's transaction, links ATT&CK
// technique ids to technique records, leaves the organisation's `enabled`
// flag alone, and marks rules that vanished upstream as removed instead of
// deleting them (a rule that reappears is un-removed).
package rulestore

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/attackref"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Rule is one detection rule as a parser produced it.
type Rule struct {
	SourceRuleID string
	Title        string
	Description  string
	Status       string // stable, test, experimental, deprecated, unsupported
	Severity     string // one of collections.Severities or ""
	Author       string
	Techniques   []string // canonical ATT&CK technique ids (attackid.Normalize)
	Tactics      []string // tactic shortnames (execution, command-and-control)
	Platforms    []string
	LogSources   any
	References   []string
	Content      string // the raw rule text
	Path         string // file path inside the source
	Meta         map[string]any
	// BadTechniques are technique-like tags that are not well-formed ids;
	// they are stored with the unknown techniques and reported.
	BadTechniques []string
}

// Hash is the sha256 of a rule's raw content, hex-encoded.
func Hash(content string) string {
	sum := sha256.Sum256([]byte(content))
	return hex.EncodeToString(sum[:])
}

// Batch is what one import run found in its source.
type Batch struct {
	Source string // sigma or elastic
	// Origin names the source spec (folder, archive, URL); only rules last
	// seen in the same origin are marked removed when they are missing, so
	// uploading a single file never retires the rest of the corpus.
	Origin string
	Rules  []Rule
	// FailedPaths are files that could not be parsed this run; rules last
	// seen in them are left as they are rather than marked removed.
	FailedPaths map[string]bool
}

// columns written by the importer, in a fixed order. `enabled` is never
// written on update: it belongs to the blue team.
var columns = []string{
	"source", "source_rule_id", "title", "description", "status", "severity",
	"techniques", "tactics", "platforms", "log_sources", "author", "references",
	"content", "path", "content_hash", "removed", "meta", "unknown_techniques",
}

type existing struct {
	id      string
	values  []string
	removed bool
	origin  string
	path    string
}

// Write upserts the batch through tx (the transaction's app) and fills rep.
// Duplicate rule ids within the batch must already be resolved by the caller.
func Write(tx core.App, b Batch, rep *importers.Report) error {
	techs, err := TechniqueIndex(tx)
	if err != nil {
		return err
	}
	old, err := load(tx, b.Source)
	if err != nil {
		return err
	}
	now := types.NowDateTime().String()
	sets := make([]string, 0, len(columns))
	names := make([]string, 0, len(columns)+3)
	vals := make([]string, 0, len(columns)+3)
	for i, c := range columns {
		sets = append(sets, fmt.Sprintf("[[%s]] = {:c%d}", c, i))
		names = append(names, "[["+c+"]]")
		vals = append(vals, fmt.Sprintf("{:c%d}", i))
	}
	names = append(names, "[[id]]", "[[enabled]]", "[[created]]", "[[updated]]")
	vals = append(vals, "{:id}", "FALSE", "{:now}", "{:now}")
	ins := tx.DB().NewQuery(fmt.Sprintf("INSERT INTO {{%s}} (%s) VALUES (%s)",
		collections.DetectionRules, strings.Join(names, ", "), strings.Join(vals, ", "))).Prepare()
	defer ins.Close()
	upd := tx.DB().NewQuery(fmt.Sprintf("UPDATE {{%s}} SET %s, [[updated]] = {:now} WHERE [[id]] = {:id}",
		collections.DetectionRules, strings.Join(sets, ", "))).Prepare()
	defer upd.Close()

	seen := make(map[string]bool, len(b.Rules))
	mapped := 0
	for _, r := range b.Rules {
		seen[r.SourceRuleID] = true
		linked := make([]string, 0, len(r.Techniques))
		unknown := []string{}
		for _, t := range r.Techniques {
			if id, ok := techs[t]; ok {
				if !slices.Contains(linked, id) {
					linked = append(linked, id)
				}
			} else {
				unknown = append(unknown, t)
			}
		}
		unknown = append(unknown, r.BadTechniques...)
		for _, u := range unknown {
			rep.Skipped = append(rep.Skipped, importers.Skip{Id: r.SourceRuleID,
				Reason: fmt.Sprintf("%s: technique %q not in the ATT&CK catalogue", r.Path, u)})
		}
		if len(r.Techniques) > 0 {
			mapped++
		}
		meta := r.Meta
		if meta == nil {
			meta = map[string]any{}
		}
		meta["origin"] = b.Origin
		row := []any{
			b.Source, r.SourceRuleID, r.Title, r.Description, r.Status, r.Severity,
			linked, nonNil(r.Tactics), nonNil(r.Platforms), r.LogSources, r.Author, nonNil(r.References),
			r.Content, r.Path, Hash(r.Content), false, meta, unknown,
		}
		params := dbx.Params{"now": now}
		strs := make([]string, len(row))
		for i, v := range row {
			s, err := sqlString(v)
			if err != nil {
				return fmt.Errorf("rule %s: %s: %w", r.SourceRuleID, columns[i], err)
			}
			strs[i] = s
			if b, ok := v.(bool); ok {
				params[fmt.Sprintf("c%d", i)] = b
			} else {
				params[fmt.Sprintf("c%d", i)] = s
			}
		}
		if e, ok := old[r.SourceRuleID]; ok {
			if slices.Equal(e.values, strs) {
				rep.Unchanged++
				continue
			}
			params["id"] = e.id
			if _, err := upd.Bind(params).Execute(); err != nil {
				return fmt.Errorf("update rule %s: %w", r.SourceRuleID, err)
			}
			rep.Updated++
			continue
		}
		params["id"] = core.GenerateDefaultRandomId()
		if _, err := ins.Bind(params).Execute(); err != nil {
			return fmt.Errorf("insert rule %s: %w", r.SourceRuleID, err)
		}
		rep.Created++
	}

	// Rules of this origin that the source no longer has are retired.
	retire := tx.DB().NewQuery(fmt.Sprintf("UPDATE {{%s}} SET [[removed]] = TRUE, [[updated]] = {:now} WHERE [[id]] = {:id}",
		collections.DetectionRules)).Prepare()
	defer retire.Close()
	for key, e := range old {
		if seen[key] || e.removed || e.origin != b.Origin || b.FailedPaths[e.path] {
			continue
		}
		if _, err := retire.Bind(dbx.Params{"id": e.id, "now": now}).Execute(); err != nil {
			return fmt.Errorf("mark rule %s removed: %w", key, err)
		}
		rep.Removed++
	}
	if rep.Counts == nil {
		rep.Counts = map[string]int{}
	}
	rep.Counts["rules"] += len(b.Rules)
	rep.Counts["technique_mapped"] += mapped
	return nil
}

func load(tx core.App, source string) (map[string]existing, error) {
	sel := make([]string, len(columns))
	for i, c := range columns {
		sel[i] = "[[" + c + "]]"
	}
	q := fmt.Sprintf("SELECT [[id]], %s, json_extract([[meta]], '$.origin') FROM {{%s}} WHERE [[source]] = {:s}",
		strings.Join(sel, ", "), collections.DetectionRules)
	rows, err := tx.DB().NewQuery(q).Bind(dbx.Params{"s": source}).Rows()
	if err != nil {
		return nil, fmt.Errorf("load %s rules: %w", source, err)
	}
	defer rows.Close()
	out := map[string]existing{}
	n := len(columns) + 2
	for rows.Next() {
		raw := make([]any, n)
		ptrs := make([]any, n)
		for i := range raw {
			ptrs[i] = &raw[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("load %s rules: %w", source, err)
		}
		e := existing{id: str(raw[0]), values: make([]string, len(columns)), origin: str(raw[n-1])}
		for i := range columns {
			e.values[i] = str(raw[i+1])
		}
		removedIdx := slices.Index(columns, "removed")
		e.removed = e.values[removedIdx] == "true"
		e.path = e.values[slices.Index(columns, "path")]
		out[e.values[1]] = e
	}
	return out, rows.Err()
}

// str renders a scanned SQLite value the way sqlString renders the value
// that was written, so unchanged rows compare equal.
func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	case bool:
		return fmt.Sprint(x)
	case int64:
		if x == 0 {
			return "false"
		}
		return "true"
	default:
		return fmt.Sprint(x)
	}
}

func sqlString(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case bool:
		return fmt.Sprint(x), nil
	default:
		b, err := json.Marshal(x)
		return string(b), err
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// TechniqueIndex maps ATT&CK technique ids to technique record ids. When an
// id exists in several domains or releases, the active enterprise technique
// wins; a revoked id maps to its revoked-by successor.
func TechniqueIndex(app core.App) (map[string]string, error) {
	ix, err := attackref.Load(app)
	if err != nil {
		return nil, err
	}
	return ix.Map(), nil
}

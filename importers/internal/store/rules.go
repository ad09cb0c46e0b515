package store

// Detection rules parsed by the Sigma and Elastic importers go into
// detection_rules: upserted on (source, source_rule_id) through an Upserter
// that compares the stored values (content_hash there is the hash of the
// rule text, which the UI shows), ATT&CK ids linked through the technique
// index, the organisation's `enabled` flag written only on insert, and
// rules that vanished upstream marked removed instead of deleted (a rule
// that reappears is un-removed).

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
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

// ContentHash is the sha256 of a rule's raw content, hex-encoded.
func ContentHash(content string) string {
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

// ruleColumns are written by the importer, in a fixed order. `enabled` is
// written on insert only: afterwards it belongs to the blue team.
var ruleColumns = []string{
	"source", "source_rule_id", "title", "description", "status", "severity",
	"techniques", "tactics", "platforms", "log_sources", "author", "references",
	"content", "path", "content_hash", "removed", "meta", "unknown_techniques",
}

// WriteRules upserts the batch through tx (the transaction's app) and fills
// rep. Duplicate rule ids within the batch must already be resolved by the
// caller (Collector).
func WriteRules(tx core.App, b Batch, rep *importers.Report) error {
	techs, err := Techniques(tx)
	if err != nil {
		return err
	}
	up, err := New(tx, Spec{Collection: collections.DetectionRules, Key: []string{"source", "source_rule_id"},
		Columns: ruleColumns, OnInsert: map[string]any{"enabled": false}, Removed: "removed"})
	if err != nil {
		return err
	}
	defer up.Close()
	mapped := 0
	for _, r := range b.Rules {
		linked, unknown := Link(techs, r.Techniques)
		unknown = append(unknown, r.BadTechniques...)
		for _, u := range unknown {
			Skip(rep, r.SourceRuleID, "%s: technique %q not in the ATT&CK catalogue", r.Path, u)
		}
		if len(r.Techniques) > 0 {
			mapped++
		}
		meta := r.Meta
		if meta == nil {
			meta = map[string]any{}
		}
		meta["origin"] = b.Origin
		if _, _, err := up.Put(map[string]any{
			"source": b.Source, "source_rule_id": r.SourceRuleID, "title": r.Title, "description": r.Description,
			"status": r.Status, "severity": r.Severity, "techniques": linked, "tactics": NonNil(r.Tactics),
			"platforms": NonNil(r.Platforms), "log_sources": r.LogSources, "author": r.Author,
			"references": NonNil(r.References), "content": r.Content, "path": r.Path,
			"content_hash": ContentHash(r.Content), "removed": false, "meta": meta, "unknown_techniques": unknown,
		}); err != nil {
			return fmt.Errorf("rule %s: %w", r.SourceRuleID, err)
		}
	}
	if err := retireRules(tx, up, b); err != nil {
		return err
	}
	Add(rep, up.Counts())
	Count(rep, "rules", len(b.Rules))
	Count(rep, "technique_mapped", mapped)
	return nil
}

// retireRules marks removed the rules of the batch's origin that the
// source no longer has, except those of files that failed to parse.
func retireRules(tx core.App, up *Upserter, b Batch) error {
	var rows []struct {
		Id   string `db:"id"`
		Path string `db:"path"`
	}
	err := tx.DB().NewQuery(`SELECT [[id]], [[path]] FROM {{detection_rules}} WHERE [[source]] = {:s}
		AND [[removed]] = FALSE AND COALESCE(json_extract([[meta]], '$.origin'), '') = {:o}`).
		Bind(dbx.Params{"s": b.Source, "o": b.Origin}).All(&rows)
	if err != nil {
		return fmt.Errorf("load %s rules: %w", b.Source, err)
	}
	for _, r := range rows {
		if up.Seen(r.Id) || b.FailedPaths[r.Path] {
			continue
		}
		if err := up.Retire(r.Id); err != nil {
			return err
		}
	}
	return nil
}

// Link resolves ATT&CK ids through a technique index (Techniques): the
// record ids, each once, and the ids the catalogue does not have.
func Link(techs map[string]string, attackIDs []string) (linked, unknown []string) {
	linked, unknown = make([]string, 0, len(attackIDs)), []string{}
	for _, t := range attackIDs {
		id, ok := techs[t]
		switch {
		case !ok:
			unknown = append(unknown, t)
		case !slices.Contains(linked, id):
			linked = append(linked, id)
		}
	}
	return linked, unknown
}

// NonNil turns a nil list into an empty one, so JSON fields store [] and
// not null.
func NonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

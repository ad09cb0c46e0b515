package campaigns

import (
	"encoding/json"
	"fmt"
	"strings"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// sourceRank prefers curated Atomic Red Team tests, then CALDERA abilities,
// then hand-written templates.
var sourceRank = map[string]int{"atomic": 0, "caldera": 1, "manual": 2}

// platformsOf reads a JSON list of platform names.
func platformsOf(r *core.Record, field string) []string {
	var out []string
	raw, _ := json.Marshal(r.Get(field))
	_ = json.Unmarshal(raw, &out)
	return out
}

// hasPlatform matches platform names case-insensitively ("Windows" in
// ATT&CK, "windows" in Atomic Red Team).
func hasPlatform(list []string, p string) bool {
	for _, v := range list {
		if strings.EqualFold(strings.TrimSpace(v), strings.TrimSpace(p)) {
			return true
		}
	}
	return false
}

// BestTemplate returns the template to prefill a test of technique on
// platform: one that lists the platform (any when platform is empty), from
// the best source, with a command, then by name for a stable choice. It
// returns nil when none fits. Templates removed upstream are not offered.
func BestTemplate(app core.App, techniqueId, platform string) (*core.Record, error) {
	all, err := app.FindAllRecords(c.TestTemplates, dbx.HashExp{"technique": techniqueId, "removed": false})
	if err != nil {
		return nil, fmt.Errorf("templates of %s: %w", techniqueId, err)
	}
	var best *core.Record
	better := func(a, b *core.Record) bool { // a better than b
		ta, tb := c.AsTestTemplate(a), c.AsTestTemplate(b)
		ra, rb := sourceRank[ta.Source()], sourceRank[tb.Source()]
		if ra != rb {
			return ra < rb
		}
		ca, cb := commandOf(a) != "", commandOf(b) != ""
		if ca != cb {
			return ca
		}
		if ta.Name() != tb.Name() {
			return ta.Name() < tb.Name()
		}
		return ta.SourceId() < tb.SourceId()
	}
	for _, t := range all {
		if platform != "" && !hasPlatform(platformsOf(t, "platforms"), platform) {
			continue
		}
		if best == nil || better(t, best) {
			best = t
		}
	}
	return best, nil
}

type executor struct {
	Name      string `json:"name"`
	Command   string `json:"command"`
	Cleanup   string `json:"cleanup"`
	Elevation bool   `json:"elevation"`
}

func executorOf(t *core.Record) executor {
	var ex executor
	raw, _ := json.Marshal(t.Get("executor"))
	_ = json.Unmarshal(raw, &ex)
	return ex
}

func commandOf(t *core.Record) string { return strings.TrimSpace(executorOf(t).Command) }

// ProcedureFrom writes a test's procedure (markdown) from a template: its
// description, the executor command and the cleanup.
func ProcedureFrom(t *core.Record) string {
	ex := executorOf(t)
	var b strings.Builder
	tpl := c.AsTestTemplate(t)
	fmt.Fprintf(&b, "**%s** (%s %s)\n\n", tpl.Name(), tpl.Source(), tpl.SourceId())
	if d := strings.TrimSpace(tpl.Description()); d != "" {
		b.WriteString(d + "\n\n")
	}
	lang := ex.Name
	if ex.Elevation {
		b.WriteString("Requires elevation.\n\n")
	}
	if cmd := strings.TrimSpace(ex.Command); cmd != "" {
		fmt.Fprintf(&b, "```%s\n%s\n```\n", lang, cmd)
	}
	if cl := strings.TrimSpace(ex.Cleanup); cl != "" {
		fmt.Fprintf(&b, "\nCleanup:\n\n```%s\n%s\n```\n", lang, cl)
	}
	return b.String()
}

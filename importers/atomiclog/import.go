package atomiclog

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/internal/store"
	"github.com/aegis-sec/aegis/importers/source"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Kind is the import kind of Invoke-AtomicRedTeam execution logs.
const Kind = "atomic-log"

type candidate struct {
	Id           string `db:"id"`
	Name         string `db:"name"`
	State        string `db:"state"`
	RedResult    string `db:"red_result"`
	ExecutedAt   string `db:"executed_at"`
	Technique    string `db:"attack_id"`
	TemplateGUID string `db:"guid"`
	TemplateName string `db:"tname"`
}

// run is one execution of a log, with the file it came from.
type run struct {
	path string
	Execution
}

// fillable states: tests not yet validated, closed or cancelled get their
// red result from a log; later states keep what was recorded.
var fillable = map[string]bool{collections.StateDraft: true, collections.StateReady: true,
	collections.StateExecuting: true, collections.StateBlueReview: true}

// Import reads every .csv and .json log of src (a single file whatever its
// name) and sets red_result=executed and executed_at (the latest run) on the
// matching tests, in one transaction. A test whose red result an operator
// already set to something else keeps it. Log entries that match no test
// are listed in Skipped.
func Import(ctx context.Context, app core.App, src source.Source, opts importers.Options) (*importers.Report, error) {
	start := time.Now()
	rep := importers.NewReport(Kind, src)
	var runs []run
	err := src.Walk(ctx, func(e source.Entry) error {
		lower := strings.ToLower(e.Path)
		if !strings.HasSuffix(lower, ".csv") && !strings.HasSuffix(lower, ".json") && strings.Contains(e.Path, "/") {
			return nil
		}
		rep.Files++
		execs, bad, err := Parse(e.Body)
		if err != nil {
			rep.FileFailed(e.Path, err)
			return nil
		}
		for _, b := range bad {
			rep.FileErrors = append(rep.FileErrors, importers.FileError{Path: e.Path, Error: b.Where + ": " + b.Error})
		}
		for _, x := range execs {
			runs = append(runs, run{path: e.Path, Execution: x})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("import atomic-log %s: %w", src, err)
	}
	rep.Counts["executions"] = len(runs)

	err = store.Commit(ctx, app, rep, opts, collections.Tests, func(tx core.App, details map[string]any) error {
		tests, err := loadCandidates(tx)
		if err != nil {
			return err
		}
		err = fill(tx, tests, match(tests, runs, rep), rep)
		details["unmatched"] = len(rep.Skipped)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("import atomic-log %s: %w", src, err)
	}
	rep.Counts["unmatched"] = len(rep.Skipped)
	rep.Finish(start)
	return rep, nil
}

// loadCandidates reads the tests a log can fill, with their technique and
// template.
func loadCandidates(tx core.App) ([]candidate, error) {
	var tests []candidate
	err := tx.DB().NewQuery(`SELECT t.id, t.name, t.state, t.red_result, t.executed_at, tech.attack_id,
		COALESCE(tt.source_id, '') AS guid, COALESCE(tt.name, '') AS tname
		FROM {{tests}} t JOIN {{techniques}} tech ON tech.id = t.technique
		LEFT JOIN {{test_templates}} tt ON tt.id = t.template`).All(&tests)
	if err != nil {
		return nil, fmt.Errorf("load tests: %w", err)
	}
	return tests, nil
}

// match finds the tests of each run (by template GUID, else by technique
// and test name) and returns test index → latest run start; runs that
// match no test are reported.
func match(tests []candidate, runs []run, rep *importers.Report) map[int]time.Time {
	byGUID := map[string][]int{}
	byName := map[string][]int{}
	for i, t := range tests {
		if t.TemplateGUID != "" {
			g := strings.ToLower(t.TemplateGUID)
			byGUID[g] = append(byGUID[g], i)
		}
		for _, n := range []string{t.TemplateName, t.Name} {
			if n != "" {
				k := strings.ToUpper(t.Technique) + "\x00" + strings.ToLower(strings.TrimSpace(n))
				if len(byName[k]) == 0 || byName[k][len(byName[k])-1] != i {
					byName[k] = append(byName[k], i)
				}
			}
		}
	}
	latest := map[int]time.Time{}
	for _, r := range runs {
		matches := byGUID[r.GUID]
		if len(matches) == 0 && r.TestName != "" {
			matches = byName[r.Technique+"\x00"+strings.ToLower(r.TestName)]
		}
		if len(matches) == 0 {
			label := r.GUID
			if label == "" {
				label = fmt.Sprintf("%q", r.TestName)
			}
			store.Skip(rep, r.path+" "+r.Where, "no test for %s atomic test %s", r.Technique, label)
			continue
		}
		rep.Counts["matched"]++
		if r.ExitCode != nil && *r.ExitCode != 0 {
			rep.Counts["nonzero_exit"]++
		}
		for _, i := range matches {
			if r.Start.After(latest[i]) {
				latest[i] = r.Start
			}
		}
	}
	return latest
}

// fill sets the red result and execution time of the matched tests; a test
// past the fillable states, or whose red result an operator set to
// something else, keeps what it has.
func fill(tx core.App, tests []candidate, latest map[int]time.Time, rep *importers.Report) error {
	idx := make([]int, 0, len(latest))
	for i := range latest {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	q := store.NewSetter(tx, store.Set{Collection: collections.Tests, Columns: []string{"red_result", "executed_at"},
		Touch: true, Revision: true})
	defer q.Close()
	for _, i := range idx {
		t := tests[i]
		at, _ := types.ParseDateTime(latest[i])
		switch {
		case !fillable[t.State]:
			rep.Counts["kept_"+t.State]++
			rep.Unchanged++
			continue
		case t.RedResult != "" && t.RedResult != "executed":
			rep.Counts["kept_red_result"]++
			rep.Unchanged++
			continue
		case t.RedResult == "executed" && sameTime(t.ExecutedAt, at):
			rep.Unchanged++
			continue
		}
		if err := q.Set(t.Id, "executed", at.String()); err != nil {
			return fmt.Errorf("update test %s: %w", t.Id, err)
		}
		rep.Updated++
	}
	return nil
}

func sameTime(stored string, at types.DateTime) bool {
	d, err := types.ParseDateTime(stored)
	return err == nil && d.Time().Equal(at.Time())
}

package workflow_test

import (
	"strings"

	"github.com/pocketbase/dbx"
)

// dbxExp turns a small filter with && into SQL.
func dbxExp(filter string, params map[string]any) dbx.Expression {
	return dbx.NewExp(strings.ReplaceAll(filter, "&&", "AND"), dbx.Params(params))
}

package audit

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/aegis-sec/aegis/internal/secrets"
	"github.com/pocketbase/pocketbase/core"
)

// Limits that keep one entry small whatever the record holds.
const (
	maxStringValue = 1000 // characters kept of a long text value
	maxJSONValue   = 2000 // bytes of a serialised non-string value
)

// Change is one field's old and new value.
type Change struct {
	Old any `json:"old"`
	New any `json:"new"`
}

// secretFields are recorded as changed, never with their values.
var secretFields = map[string]bool{core.FieldNamePassword: true, core.FieldNameTokenKey: true}

// Diff returns the fields that differ between before and after as
// {field: Change}. A nil before is a creation (every non-empty field), a nil
// after a deletion. Timestamps are skipped; secrets show only that they
// changed; long values are truncated.
func Diff(before, after *core.Record) map[string]any {
	ref := after
	if ref == nil {
		ref = before
	}
	if ref == nil {
		return map[string]any{}
	}
	out := map[string]any{}
	for _, f := range ref.Collection().Fields {
		name := f.GetName()
		if name == core.FieldNameId || f.Type() == core.FieldTypeAutodate {
			continue
		}
		var oldV, newV any
		if before != nil {
			oldV = before.Get(name)
		}
		if after != nil {
			newV = after.Get(name)
		}
		oldJ, newJ := marshal(oldV), marshal(newV)
		if oldJ == newJ {
			continue
		}
		if f.Type() == core.FieldTypeJSON {
			// Credentials inside JSON (an integration's source.token) are
			// recorded as set or changed, never with their values.
			oldV, newV = maskNested(oldJ, newJ)
			oldJ, newJ = marshal(oldV), marshal(newV)
		}
		if (before == nil || after == nil) && isEmpty(oldJ) && isEmpty(newJ) {
			continue
		}
		if secretFields[name] {
			out[name] = map[string]any{"changed": true}
			continue
		}
		if sf, ok := secrets.Lookup(ref.Collection().Name, name); ok {
			var o, n []byte
			if before != nil {
				o = []byte(oldJ)
			}
			if after != nil {
				n = []byte(newJ)
			}
			mo, mn := sf.Change(o, n)
			out[name] = Change{Old: mo, New: mn}
			continue
		}
		if before == nil && isEmpty(newJ) || after == nil && isEmpty(oldJ) {
			continue
		}
		out[name] = Change{Old: clip(oldV, oldJ, before == nil), New: clip(newV, newJ, after == nil)}
	}
	return out
}

func marshal(v any) string {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return string(raw)
}

func isEmpty(j string) bool {
	switch j {
	case "", `""`, "null", "[]", "{}", "0", "false":
		return true
	}
	return false
}

// clip returns v, or a shortened stand-in when it is too large to keep.
func clip(v any, j string, absent bool) any {
	if absent {
		return nil
	}
	if s, ok := v.(string); ok {
		return truncateString(s, maxStringValue)
	}
	if len(j) > maxJSONValue {
		return fmt.Sprintf("(%d bytes, truncated) %s…", len(j), truncateString(j, 200))
	}
	if json.Valid([]byte(j)) {
		return json.RawMessage(j)
	}
	return v
}

// truncateString keeps the first n characters of s, marking the cut.
func truncateString(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// maskNested returns the two JSON values with the nested secrets replaced by
// "[set]" (present and unchanged) or "[changed]".
func maskNested(oldJ, newJ string) (any, any) {
	var a, b any
	_ = json.Unmarshal([]byte(oldJ), &a)
	_ = json.Unmarshal([]byte(newJ), &b)
	am, _ := a.(map[string]any)
	bm, _ := b.(map[string]any)
	for _, k := range secrets.Keys() {
		av, aok := am[k]
		bv, bok := bm[k]
		if aok && av != "" && av != nil {
			am[k] = "[set]"
		}
		if bok && bv != "" && bv != nil {
			if aok && av == bv {
				bm[k] = "[set]"
			} else {
				bm[k] = "[changed]"
			}
		}
	}
	return a, b
}

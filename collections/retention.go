package collections

import (
	"encoding/json"

	"github.com/pocketbase/pocketbase/core"
)

// Keys of settings.retention (the "default" settings record).
const (
	RetentionNotificationsDays = "notifications_days"
	RetentionEvidenceDays      = "evidence_days"
)

// RetentionDays reads settings.retention[key] of the "default" settings
// record, or def when the record, the field or the key is missing or not a
// number.
func RetentionDays(app core.App, key string, def int) int {
	rec, err := app.FindFirstRecordByData(Settings, "key", "default")
	if err != nil {
		return def
	}
	var ret map[string]json.RawMessage
	if err := rec.UnmarshalJSONField("retention", &ret); err != nil {
		return def
	}
	raw, ok := ret[key]
	if !ok {
		return def
	}
	var days float64
	if err := json.Unmarshal(raw, &days); err != nil {
		return def
	}
	return int(days)
}

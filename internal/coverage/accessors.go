package coverage

// Helpers for the packages built on the model (exports, report), so that
// they round and look up exactly as the engine does.

// RoundTo rounds x to places decimals, as the engine rounds its scores.
func RoundTo(x float64, places int) float64 { return round(x, places) }

// OrDefault returns s, or d when s is empty.
func OrDefault(s, d string) string { return orDefault(s, d) }

// HasCampaign reports whether the model holds campaign id.
func (d *Data) HasCampaign(id string) bool { return hasCampaign(d, id) }

// Clamp01 bounds x to [0, 1].
func Clamp01(x float64) float64 { return clamp01(x) }

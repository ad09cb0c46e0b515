package redact

import "encoding/json"

// SecretKeys are the fields of an integration's source (integrations.source)
// that hold credentials. They are written, stored and used, never shown.
var SecretKeys = []string{"token", "password"}

// urlKeys are source fields holding URLs that may embed credentials.
var urlKeys = []string{"spec"}

// Source returns a copy of an integration's source that is safe to show:
// every secret that is set reads Mask, URLs lose their credentials. raw is
// the stored JSON; invalid JSON is returned as null.
func Source(raw []byte) any {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil
	}
	return maskValue(v, nil)
}

// SourceChange returns the old and new sources for an audit entry: secrets
// read Mask, or Changed in new when their value changed; URLs lose their
// credentials (a changed credential in a URL reads Changed too).
func SourceChange(oldRaw, newRaw []byte) (any, any) {
	var o, n any
	_ = json.Unmarshal(oldRaw, &o)
	_ = json.Unmarshal(newRaw, &n)
	return maskValue(o, nil), maskValue(n, o)
}

// maskValue masks a decoded source; prev, when it is the previous version,
// marks the secrets that changed since.
func maskValue(v, prev any) any {
	switch x := v.(type) {
	case map[string]any:
		pm, _ := prev.(map[string]any)
		out := make(map[string]any, len(x))
		for k, val := range x {
			var pv any
			if pm != nil {
				pv = pm[k]
			}
			switch {
			case isSecretKey(k):
				out[k] = maskSecret(val, pv, prev != nil)
			case isURLKey(k):
				s, ok := val.(string)
				if !ok {
					out[k] = maskValue(val, pv)
					break
				}
				masked := URL(s)
				if ps, _ := pv.(string); prev != nil && masked != s && ps != s && URL(ps) == masked {
					masked += " " + Changed // same URL, other credentials
				}
				out[k] = masked
			default:
				out[k] = maskValue(val, pv)
			}
		}
		return out
	case []any:
		pl, _ := prev.([]any)
		out := make([]any, len(x))
		for i, val := range x {
			var pv any
			if i < len(pl) {
				pv = pl[i]
			}
			out[i] = maskValue(val, pv)
		}
		return out
	}
	return v
}

func maskSecret(v, prev any, compare bool) any {
	if s, ok := v.(string); ok && s == "" || v == nil {
		return v
	}
	if compare {
		a, _ := json.Marshal(v)
		b, _ := json.Marshal(prev)
		if string(a) != string(b) {
			return Changed
		}
	}
	return Mask
}

func isSecretKey(k string) bool {
	for _, s := range SecretKeys {
		if k == s {
			return true
		}
	}
	return false
}

func isURLKey(k string) bool {
	for _, s := range urlKeys {
		if k == s {
			return true
		}
	}
	return false
}

// RestoreSource returns the source to store when a client sends incoming
// over stored: a secret sent back as Mask keeps its stored value, and a URL
// sent back in its masked form keeps the stored URL (with its credentials).
// Everything else is taken from incoming, so a client can still replace or
// clear a secret.
func RestoreSource(storedRaw, incomingRaw []byte) ([]byte, error) {
	var in any
	if err := json.Unmarshal(incomingRaw, &in); err != nil {
		return incomingRaw, err
	}
	var st any
	_ = json.Unmarshal(storedRaw, &st)
	return json.Marshal(restore(in, st))
}

func restore(in, st any) any {
	switch x := in.(type) {
	case map[string]any:
		sm, _ := st.(map[string]any)
		for k, val := range x {
			var sv any
			if sm != nil {
				sv = sm[k]
			}
			s, isString := val.(string)
			switch {
			case isSecretKey(k) && isString && s == Mask:
				if sv == nil {
					delete(x, k) // nothing stored: the mask is not a secret
				} else {
					x[k] = sv
				}
			case isURLKey(k) && isString:
				if ss, ok := sv.(string); ok && s != ss && URL(ss) == s {
					x[k] = ss
				}
			default:
				x[k] = restore(val, sv)
			}
		}
		return x
	case []any:
		sl, _ := st.([]any)
		for i := range x {
			var sv any
			if i < len(sl) {
				sv = sl[i]
			}
			x[i] = restore(x[i], sv)
		}
		return x
	}
	return in
}

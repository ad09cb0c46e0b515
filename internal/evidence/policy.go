// Package evidence stores the files red and blue attach to a test: uploads
// stream to a spool file while their sha256 and MIME type are computed, are
// checked against the evidence policy in settings, and are then saved with
// their metadata in one record whose protected file field PocketBase keeps
// on local disk or S3. Downloads go through PocketBase's file tokens.
package evidence

import (
	"encoding/json"
	"strings"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/gabriel-vasile/mimetype"
	"github.com/pocketbase/pocketbase/core"
)

// LoadPolicy reads settings.evidence, falling back to the defaults for
// anything unset. The size limit never exceeds what the file field accepts.
func LoadPolicy(app core.App) c.EvidencePolicy {
	p := c.DefaultEvidencePolicy()
	if rec, err := app.FindFirstRecordByData(c.Settings, "key", "default"); err == nil {
		var stored c.EvidencePolicy
		raw, _ := json.Marshal(rec.Get("evidence"))
		if json.Unmarshal(raw, &stored) == nil {
			if stored.MaxBytes > 0 {
				p.MaxBytes = stored.MaxBytes
			}
			if stored.AllowedMimes != nil {
				p.AllowedMimes = stored.AllowedMimes
			}
		}
	}
	if col, err := app.FindCachedCollectionByNameOrId(c.Evidence); err == nil {
		if f, ok := col.Fields.GetByName("file").(*core.FileField); ok && f.MaxSize > 0 && f.MaxSize < p.MaxBytes {
			p.MaxBytes = f.MaxSize
		}
	}
	return p
}

// Allowed reports whether the sniffed type mime is on the allow list. Only
// the type itself or one of its aliases counts, not its parents: every
// type descends from application/octet-stream.
func Allowed(p c.EvidencePolicy, mime string) bool {
	base := baseMime(mime)
	m := mimetype.Lookup(base)
	for _, a := range p.AllowedMimes {
		a = strings.ToLower(strings.TrimSpace(a))
		if a == base || (m != nil && m.Is(a)) {
			return true
		}
	}
	return false
}

func baseMime(m string) string {
	if i := strings.IndexByte(m, ';'); i >= 0 {
		m = m[:i]
	}
	return strings.ToLower(strings.TrimSpace(m))
}

// Active content runs in a browser when served inline; such evidence is
// always downloaded as an attachment.
var activePrefixes = []string{"text/html", "application/xhtml", "image/svg", "text/javascript",
	"application/javascript", "application/x-javascript", "application/ecmascript", "text/ecmascript",
	"text/xml", "application/xml", "application/xslt", "text/xsl", "application/x-shockwave-flash",
	"application/pdf", "text/vtt", "application/wasm", "multipart/"}

// Active reports whether mime is active content.
func Active(mime string) bool {
	b := baseMime(mime)
	if strings.HasSuffix(b, "+xml") {
		return true
	}
	for _, p := range activePrefixes {
		if strings.HasPrefix(b, p) {
			return true
		}
	}
	return false
}

package coverage

import (
	"fmt"
	"io"
	"math"

	"github.com/aegis-sec/aegis/importers/dettect"
	"github.com/pocketbase/pocketbase/core"
)

// DettectDerived is the detection score Aegis itself gives each in-scope
// technique for a DeTT&CT export: round(5 · max(V, R)) from its validated
// tests and enabled rules (0 is left out). Techniques with a DeTT&CT
// detection entry keep theirs.
func DettectDerived(r *Result) map[string]dettect.Derived {
	out := map[string]dettect.Derived{}
	for _, sc := range r.Own {
		if sc == nil || !sc.InScope || sc.AttackID == "" {
			continue
		}
		v, rv := 0.0, 0.0
		if sc.V != nil {
			v = *sc.V
		}
		if sc.R != nil {
			rv = *sc.R
		}
		score := int(math.Round(5 * math.Max(v, rv)))
		if score <= 0 {
			continue
		}
		out[sc.AttackID] = dettect.Derived{Score: score, Comment: fmt.Sprintf(
			"Aegis: validation V=%.2f over %d procedure(s), rules R=%.2f over %d enabled rule(s)", v, sc.Procedures, rv, sc.Rules)}
	}
	return out
}

// WriteDettect writes Aegis's current state as a DeTT&CT technique
// administration file: imported scores with their logbooks, and a derived
// detection score for the other techniques Aegis has evidence for, from the
// tests a blue caller may see when revealedOnly.
func WriteDettect(app core.App, w io.Writer, name string, revealedOnly bool) error {
	r, err := For(app).Result(Options{RevealedOnly: revealedOnly})
	if err != nil {
		return err
	}
	return dettect.Export(app, w, dettect.ExportOptions{Name: name, Derived: DettectDerived(r), Now: r.Data.Now})
}

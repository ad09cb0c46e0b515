package campaigns

import (
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/aegis-sec/aegis/importers/navigator"
)

// MaxLayerBytes bounds an uploaded Navigator layer.
const MaxLayerBytes = navigator.MaxLayerSize

// Layer is the part of an ATT&CK Navigator layer that picks techniques.
type Layer struct {
	Name        string
	Domain      string
	Description string
	// Techniques are the ATT&CK ids the layer scores or selects, sorted.
	Techniques []string
}

// ParseLayer reads a Navigator layer (any format the navigator importer
// accepts) and returns the techniques it scores or selects (score, colour,
// comment, metadata or links on an enabled entry), each once. A layer that
// picks nothing is an error.
func ParseLayer(r io.Reader) (Layer, error) {
	l, err := navigator.Parse(r)
	if err != nil {
		return Layer{}, fmt.Errorf("navigator layer: %w", err)
	}
	ids := navigator.Selected(l)
	if len(ids) == 0 {
		return Layer{}, errors.New("navigator layer: it neither scores nor selects any technique")
	}
	ids = append([]string(nil), ids...)
	sort.Strings(ids)
	return Layer{Name: l.Name, Domain: navigator.NormaliseDomain(l.Domain), Description: l.Description, Techniques: ids}, nil
}

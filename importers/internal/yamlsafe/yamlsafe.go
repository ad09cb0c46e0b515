// Package yamlsafe decodes untrusted YAML with bounds: the input size is
// capped before parsing, and alias expansion (the "billion laughs" bomb) is
// measured on the parsed node tree before anything is decoded into Go values.
// Every YAML importer should go through Decode or DecodeAll instead of calling
// yaml.Unmarshal on bytes read from a source.
package yamlsafe

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"gopkg.in/yaml.v3"
)

// Limits bound one YAML input. The zero value means the defaults.
type Limits struct {
	// MaxBytes is the largest input accepted (default 8 MiB: the largest
	// real Atomic Red Team file is about 200 KiB).
	MaxBytes int64
	// MaxNodes caps the number of nodes visited with every alias expanded
	// (default 1,000,000), which bounds the work and memory of decoding.
	MaxNodes int
	// MaxDocuments caps the documents of a multi-document stream (default 1000).
	MaxDocuments int
}

// Default limits.
const (
	DefaultMaxBytes     = 8 << 20
	DefaultMaxNodes     = 1_000_000
	DefaultMaxDocuments = 1000
)

// Errors callers can test for with errors.Is.
var (
	ErrTooLarge      = errors.New("yaml input too large")
	ErrAliasBomb     = errors.New("yaml alias expansion too large")
	ErrTooManyDocs   = errors.New("too many yaml documents")
	ErrEmptyDocument = errors.New("empty yaml document")
)

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxNodes <= 0 {
		l.MaxNodes = DefaultMaxNodes
	}
	if l.MaxDocuments <= 0 {
		l.MaxDocuments = DefaultMaxDocuments
	}
	return l
}

// ReadLimited reads all of r, failing with ErrTooLarge past max bytes
// instead of buffering an unbounded stream.
func ReadLimited(r io.Reader, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, max)
	}
	return data, nil
}

// Decode reads one YAML document from r into v within lim. An empty input
// is ErrEmptyDocument.
func Decode(r io.Reader, v any, lim Limits) error {
	lim = lim.withDefaults()
	data, err := ReadLimited(r, lim.MaxBytes)
	if err != nil {
		return err
	}
	return DecodeBytes(data, v, lim)
}

// DecodeBytes decodes the first YAML document of data into v within lim.
func DecodeBytes(data []byte, v any, lim Limits) error {
	lim = lim.withDefaults()
	if int64(len(data)) > lim.MaxBytes {
		return fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(data), lim.MaxBytes)
	}
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return ErrEmptyDocument
		}
		return err
	}
	if err := CheckExpansion(&doc, lim.MaxNodes); err != nil {
		return err
	}
	return doc.Decode(v)
}

// DecodeAll decodes every document of a multi-document stream, calling fn
// with each parsed node (already checked for alias bombs). Decode the node
// with node.Decode.
func DecodeAll(r io.Reader, lim Limits, fn func(i int, doc *yaml.Node) error) error {
	lim = lim.withDefaults()
	data, err := ReadLimited(r, lim.MaxBytes)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	budget := lim.MaxNodes
	for i := 0; ; i++ {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("document %d: %w", i+1, err)
		}
		if i >= lim.MaxDocuments {
			return fmt.Errorf("%w: more than %d", ErrTooManyDocs, lim.MaxDocuments)
		}
		n, err := expandedSize(&doc, budget)
		if err != nil {
			return fmt.Errorf("document %d: %w", i+1, err)
		}
		budget -= n
		if err := fn(i, &doc); err != nil {
			return err
		}
	}
}

// CheckExpansion returns ErrAliasBomb when visiting n with every alias
// expanded would touch more than maxNodes nodes. Parsing into a yaml.Node
// never expands aliases, so this check is cheap and runs before decoding.
func CheckExpansion(n *yaml.Node, maxNodes int) error {
	_, err := expandedSize(n, maxNodes)
	return err
}

// expandedSize counts nodes with aliases expanded, memoising the size of
// each anchored node so the count itself stays linear in the input.
func expandedSize(root *yaml.Node, budget int) (int, error) {
	memo := map[*yaml.Node]int{}
	onStack := map[*yaml.Node]bool{}
	var walk func(n *yaml.Node, depth int) (int, error)
	walk = func(n *yaml.Node, depth int) (int, error) {
		if n == nil {
			return 0, nil
		}
		if depth > 10000 {
			return 0, fmt.Errorf("%w: nesting deeper than 10000", ErrAliasBomb)
		}
		if s, ok := memo[n]; ok {
			return s, nil
		}
		if onStack[n] {
			return 0, fmt.Errorf("%w: recursive alias at line %d", ErrAliasBomb, n.Line)
		}
		onStack[n] = true
		defer delete(onStack, n)
		size := 1
		if n.Kind == yaml.AliasNode {
			s, err := walk(n.Alias, depth+1)
			if err != nil {
				return 0, err
			}
			size += s
		}
		for _, c := range n.Content {
			s, err := walk(c, depth+1)
			if err != nil {
				return 0, err
			}
			size += s
			if size > budget {
				return 0, fmt.Errorf("%w: more than %d nodes after alias expansion", ErrAliasBomb, budget)
			}
		}
		if size > budget {
			return 0, fmt.Errorf("%w: more than %d nodes after alias expansion", ErrAliasBomb, budget)
		}
		if n.Anchor != "" || n.Kind == yaml.AliasNode {
			memo[n] = size
		}
		return size, nil
	}
	return walk(root, 0)
}

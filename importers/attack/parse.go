package attack

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
)

// MaxBundleSize bounds one bundle file. Enterprise ATT&CK v18.1 is 45 MB;
// the bound leaves room for years of growth and stops an endless stream
// before it exhausts memory.
var MaxBundleSize int64 = 200 << 20

// ErrTooLarge is wrapped when a bundle exceeds MaxBundleSize.
var ErrTooLarge = errors.New("bundle too large")

// ParseBundle reads one STIX 2.0/2.1 bundle. A light scanner finds the
// bounds of each element of "objects" (strings are skipped with a vectorised
// byte search), then the elements are decoded into typed Objects by as many
// goroutines as there are CPUs: encoding/json's scanner is the bottleneck
// and it parallelises cleanly per object. It checks the structure (a bundle,
// objects with a type and an id of that type) and names the offending
// object on error; duplicates and dangling references are checked when the
// objects are resolved.
func ParseBundle(r io.Reader) (*Bundle, error) {
	data, err := readAll(r, MaxBundleSize)
	if err != nil {
		return nil, err
	}
	return parseBytes(data)
}

func readAll(r io.Reader, limit int64) ([]byte, error) {
	var chunks [][]byte
	var total int64
	// Chunks grow from 64 KiB to 4 MiB: a folder of thousands of one-object
	// bundles stays cheap, a 45 MB bundle takes a dozen reads.
	size := 64 << 10
	for {
		buf := make([]byte, size)
		size = min(size*2, 4<<20)
		n, err := io.ReadFull(r, buf)
		if n > 0 {
			chunks = append(chunks, buf[:n])
			total += int64(n)
			if total > limit {
				return nil, fmt.Errorf("%w: more than %d MiB; an ATT&CK bundle is far smaller, so this is not one", ErrTooLarge, limit>>20)
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if len(chunks) == 1 {
		return chunks[0], nil
	}
	out := make([]byte, 0, total)
	for _, c := range chunks {
		out = append(out, c...)
	}
	return out, nil
}

type span struct{ start, end int }

func parseBytes(data []byte) (*Bundle, error) {
	lx := &lexer{data: data}
	lx.ws()
	if lx.i >= len(data) {
		return nil, fmt.Errorf("%w: the input is empty", ErrNotBundle)
	}
	if data[lx.i] != '{' {
		return nil, fmt.Errorf("%w: expected a JSON object, found %q at byte %d", ErrNotBundle, data[lx.i], lx.i)
	}
	lx.i++
	b := &Bundle{}
	var typ string
	var spans []span
	sawObjects := false
	for first := true; ; first = false {
		lx.ws()
		if lx.i < len(data) && data[lx.i] == '}' && first {
			lx.i++
			break
		}
		key, err := lx.key()
		if err != nil {
			return nil, err
		}
		start := lx.i
		switch key {
		case "objects":
			sawObjects = true
			if spans, err = lx.array(); err != nil {
				return nil, err
			}
		case "type", "id", "spec_version":
			if err := lx.skipValue(); err != nil {
				return nil, err
			}
			dst := map[string]*string{"type": &typ, "id": &b.ID, "spec_version": &b.SpecVersion}[key]
			if err := json.Unmarshal(data[start:lx.i], dst); err != nil {
				return nil, fmt.Errorf("%w: bundle %q: %v", ErrNotBundle, key, err)
			}
			if key == "type" && typ != "bundle" {
				return nil, fmt.Errorf("%w: type is %q", ErrNotBundle, typ)
			}
		default:
			if err := lx.skipValue(); err != nil {
				return nil, err
			}
		}
		lx.ws()
		if lx.i >= len(data) {
			return nil, errTruncated
		}
		if data[lx.i] == '}' {
			lx.i++
			break
		}
		if data[lx.i] != ',' {
			return nil, lx.unexpected("',' or '}'")
		}
		lx.i++
	}
	lx.ws()
	if lx.i != len(data) {
		return nil, lx.unexpected("the end of the input")
	}
	if typ != "bundle" {
		return nil, fmt.Errorf("%w: no \"type\": \"bundle\"", ErrNotBundle)
	}
	if !sawObjects {
		return nil, fmt.Errorf("%w: no \"objects\" array", ErrNotBundle)
	}
	objs, err := decodeObjects(data, spans)
	if err != nil {
		return nil, err
	}
	b.Objects = objs
	for n := range objs {
		o := &objs[n]
		if o.Type == "" {
			return nil, fmt.Errorf("object #%d (%s): missing \"type\"", n+1, o.ID)
		}
		if o.ID == "" {
			return nil, fmt.Errorf("object #%d (type %s, name %q): missing \"id\"", n+1, o.Type, o.Name)
		}
		if !strings.HasPrefix(o.ID, o.Type+"--") {
			return nil, fmt.Errorf("object #%d: id %q does not match its type %q", n+1, o.ID, o.Type)
		}
	}
	if b.SpecVersion == "" && len(objs) > 0 {
		b.SpecVersion = objs[0].SpecVersion
	}
	return b, nil
}

// decodeObjects unmarshals the spans into one slice, in parallel batches.
// On error the first failing object (by position) is reported.
func decodeObjects(data []byte, spans []span) ([]Object, error) {
	objs := make([]Object, len(spans))
	const batch = 128
	var next atomic.Int64
	var mu sync.Mutex
	firstErr, errAt := error(nil), len(spans)
	work := func() {
		for {
			lo := int(next.Add(batch)) - batch
			if lo >= len(spans) {
				return
			}
			for i := lo; i < min(lo+batch, len(spans)); i++ {
				s := spans[i]
				if err := json.Unmarshal(data[s.start:s.end], &objs[i]); err != nil {
					mu.Lock()
					if i < errAt {
						firstErr, errAt = err, i
					}
					mu.Unlock()
					break
				}
			}
		}
	}
	workers := min(runtime.GOMAXPROCS(0), 1+len(spans)/batch)
	var wg sync.WaitGroup
	for w := 1; w < workers; w++ {
		wg.Add(1)
		go func() { defer wg.Done(); work() }()
	}
	work()
	wg.Wait()
	if firstErr != nil {
		after := ""
		if errAt > 0 && objs[errAt-1].ID != "" {
			after = " (after " + objs[errAt-1].ID + ")"
		}
		return nil, fmt.Errorf("object #%d%s at byte %d: %w", errAt+1, after, spans[errAt].start, explain(firstErr))
	}
	return objs, nil
}

var errTruncated = fmt.Errorf("truncated JSON: the file ends early (incomplete download?): %w", io.ErrUnexpectedEOF)

// lexer finds value boundaries without decoding them.
type lexer struct {
	data []byte
	i    int
}

func (lx *lexer) ws() {
	for lx.i < len(lx.data) {
		switch lx.data[lx.i] {
		case ' ', '\t', '\n', '\r':
			lx.i++
		default:
			return
		}
	}
}

func (lx *lexer) unexpected(want string) error {
	if lx.i >= len(lx.data) {
		return errTruncated
	}
	return fmt.Errorf("invalid JSON at byte %d: expected %s, found %q", lx.i, want, lx.data[lx.i])
}

// key reads `"name" :` and returns name.
func (lx *lexer) key() (string, error) {
	if lx.i >= len(lx.data) || lx.data[lx.i] != '"' {
		return "", lx.unexpected("a key string")
	}
	start := lx.i
	if err := lx.skipString(); err != nil {
		return "", err
	}
	raw := lx.data[start:lx.i]
	var key string
	if bytes.IndexByte(raw, '\\') < 0 {
		key = string(raw[1 : len(raw)-1])
	} else if err := json.Unmarshal(raw, &key); err != nil {
		return "", fmt.Errorf("invalid JSON at byte %d: %v", start, err)
	}
	lx.ws()
	if lx.i >= len(lx.data) || lx.data[lx.i] != ':' {
		return "", lx.unexpected("':'")
	}
	lx.i++
	lx.ws()
	return key, nil
}

// array returns the spans of the elements of the array at the cursor.
func (lx *lexer) array() ([]span, error) {
	if lx.i >= len(lx.data) || lx.data[lx.i] != '[' {
		if lx.i < len(lx.data) {
			return nil, fmt.Errorf("%w: \"objects\" is not an array (found %q at byte %d)", ErrNotBundle, lx.data[lx.i], lx.i)
		}
		return nil, errTruncated
	}
	lx.i++
	spans := make([]span, 0, len(lx.data)/1500+16)
	lx.ws()
	if lx.i < len(lx.data) && lx.data[lx.i] == ']' {
		lx.i++
		return spans, nil
	}
	for {
		lx.ws()
		start := lx.i
		if err := lx.skipValue(); err != nil {
			return nil, err
		}
		spans = append(spans, span{start, lx.i})
		lx.ws()
		if lx.i >= len(lx.data) {
			return nil, errTruncated
		}
		switch lx.data[lx.i] {
		case ',':
			lx.i++
		case ']':
			lx.i++
			return spans, nil
		default:
			return nil, lx.unexpected("',' or ']' in \"objects\"")
		}
	}
}

// skipValue moves past one value. It balances brackets and skips strings;
// whether the inside is valid JSON is left to the decoder.
func (lx *lexer) skipValue() error {
	d := lx.data
	if lx.i >= len(d) {
		return errTruncated
	}
	switch d[lx.i] {
	case '"':
		return lx.skipString()
	case '{', '[':
		depth := 0
		for lx.i < len(d) {
			switch d[lx.i] {
			case '"':
				if err := lx.skipString(); err != nil {
					return err
				}
				continue
			case '{', '[':
				depth++
				if depth > 10000 {
					return fmt.Errorf("invalid JSON at byte %d: nested more than 10000 levels", lx.i)
				}
			case '}', ']':
				depth--
				if depth == 0 {
					lx.i++
					return nil
				}
			}
			lx.i++
		}
		return errTruncated
	case '}', ']', ',', ':':
		return lx.unexpected("a value")
	}
	start := lx.i
	for lx.i < len(d) {
		switch d[lx.i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			if lx.i == start {
				return lx.unexpected("a value")
			}
			return nil
		}
		lx.i++
	}
	return nil
}

func (lx *lexer) skipString() error {
	d := lx.data
	lx.i++ // opening quote
	for {
		j := bytes.IndexByte(d[lx.i:], '"')
		if j < 0 {
			lx.i = len(d)
			return errTruncated
		}
		end := lx.i + j
		// An odd run of backslashes before the quote escapes it.
		bs := 0
		for k := end - 1; k >= lx.i && d[k] == '\\'; k-- {
			bs++
		}
		lx.i = end + 1
		if bs%2 == 0 {
			return nil
		}
	}
}

// explain turns the decoder's terse errors into ones a user can act on.
func explain(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field == "" {
			return fmt.Errorf("not a JSON object (%s): %w", te.Value, err)
		}
		return fmt.Errorf("field %q has a %s where %s is expected: %w", te.Field, te.Value, te.Type, err)
	}
	return err
}

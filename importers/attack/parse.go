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
)

// MaxBundleSize bounds one bundle file. Enterprise ATT&CK v18.1 is 45 MB;
// the bound leaves room for years of growth and stops an endless stream
// before it exhausts memory.
var MaxBundleSize int64 = 200 << 20

// firstChunk is the first read size; reads double up to 4 MiB, so a folder
// of thousands of one-object bundles stays cheap and a 45 MB bundle takes a
// few dozen reads. Tests shrink it to cut values at every position.
var firstChunk = 64 << 10

// ErrTooLarge is wrapped when a bundle exceeds MaxBundleSize.
var ErrTooLarge = errors.New("bundle too large")

// ParseBundle reads one STIX 2.0/2.1 bundle as a stream. A light scanner
// finds the bounds of each element of "objects" (strings are skipped with a
// vectorised byte search) while the input is still arriving, and batches of
// elements are decoded into typed Objects by one goroutine per CPU as soon
// as they are complete: decompression, scanning and decoding overlap, and
// the raw bytes are read once and never copied whole. It checks the
// structure (a bundle, objects with a type and an id of that type) and
// names the offending object on error; duplicates and dangling references
// are checked when the objects are resolved.
func ParseBundle(r io.Reader) (*Bundle, error) {
	lx := &lexer{r: r, chunk: firstChunk, limit: MaxBundleSize}
	dec := newDecoder()
	b, err := parseStream(lx, dec)
	objs, derr := dec.finish()
	if err != nil {
		return nil, err
	}
	if derr != nil {
		return nil, derr
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

func parseStream(lx *lexer, dec *decoder) (*Bundle, error) {
	if err := lx.ws(); err != nil {
		return nil, err
	}
	if lx.i >= len(lx.data) {
		return nil, fmt.Errorf("%w: the input is empty", ErrNotBundle)
	}
	if lx.data[lx.i] != '{' {
		return nil, fmt.Errorf("%w: expected a JSON object, found %q at byte %d", ErrNotBundle, lx.data[lx.i], lx.offset())
	}
	lx.i++
	b := &Bundle{}
	var typ string
	sawObjects := false
	for first := true; ; first = false {
		if err := lx.ws(); err != nil {
			return nil, err
		}
		if first && lx.i < len(lx.data) && lx.data[lx.i] == '}' {
			lx.i++
			break
		}
		key, err := lx.key()
		if err != nil {
			return nil, err
		}
		switch key {
		case "objects":
			sawObjects = true
			if err := lx.array(dec); err != nil {
				return nil, err
			}
		case "type", "id", "spec_version":
			raw, err := lx.value()
			if err != nil {
				return nil, err
			}
			dst := map[string]*string{"type": &typ, "id": &b.ID, "spec_version": &b.SpecVersion}[key]
			if err := json.Unmarshal(raw, dst); err != nil {
				return nil, fmt.Errorf("%w: bundle %q: %v", ErrNotBundle, key, err)
			}
			if key == "type" && typ != "bundle" {
				return nil, fmt.Errorf("%w: type is %q", ErrNotBundle, typ)
			}
		default:
			if _, err := lx.value(); err != nil {
				return nil, err
			}
		}
		if err := lx.ws(); err != nil {
			return nil, err
		}
		if lx.i >= len(lx.data) {
			return nil, errTruncated
		}
		if lx.data[lx.i] == '}' {
			lx.i++
			break
		}
		if lx.data[lx.i] != ',' {
			return nil, lx.unexpected("',' or '}'")
		}
		lx.i++
	}
	if err := lx.ws(); err != nil {
		return nil, err
	}
	if lx.i != len(lx.data) {
		return nil, lx.unexpected("the end of the input")
	}
	if typ != "bundle" {
		return nil, fmt.Errorf("%w: no \"type\": \"bundle\"", ErrNotBundle)
	}
	if !sawObjects {
		return nil, fmt.Errorf("%w: no \"objects\" array", ErrNotBundle)
	}
	return b, nil
}

// decoder unmarshals batches of raw objects on worker goroutines while the
// scanner is still reading.
type decoder struct {
	batches chan decodeBatch
	wg      sync.WaitGroup
	mu      sync.Mutex
	out     map[int][]Object // batch base index → decoded objects
	errAt   int
	err     error
	pending []json.RawMessage
	base    int
}

type decodeBatch struct {
	base int
	raw  []json.RawMessage
}

const decodeBatchSize = 128

func newDecoder() *decoder {
	d := &decoder{batches: make(chan decodeBatch, 8), out: map[int][]Object{}, errAt: -1}
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			for b := range d.batches {
				d.decode(b)
			}
		}()
	}
	return d
}

func (d *decoder) decode(b decodeBatch) {
	objs := make([]Object, len(b.raw))
	for i, raw := range b.raw {
		if err := json.Unmarshal(raw, &objs[i]); err != nil {
			d.mu.Lock()
			if d.errAt < 0 || b.base+i < d.errAt {
				d.errAt, d.err = b.base+i, err
			}
			d.mu.Unlock()
			return
		}
	}
	d.mu.Lock()
	d.out[b.base] = objs
	d.mu.Unlock()
}

func (d *decoder) add(raw []byte) {
	d.pending = append(d.pending, raw)
	if len(d.pending) == decodeBatchSize {
		d.flush()
	}
}

func (d *decoder) flush() {
	if len(d.pending) == 0 {
		return
	}
	d.batches <- decodeBatch{base: d.base, raw: d.pending}
	d.base += len(d.pending)
	d.pending = make([]json.RawMessage, 0, decodeBatchSize)
}

// finish waits for the workers and returns the objects in input order, or
// the error of the first object (by position) that failed.
func (d *decoder) finish() ([]Object, error) {
	d.flush()
	close(d.batches)
	d.wg.Wait()
	if d.err != nil {
		after := ""
		if prev, ok := d.out[(d.errAt-1)/decodeBatchSize*decodeBatchSize]; ok && d.errAt > 0 {
			after = " (after " + prev[(d.errAt-1)%decodeBatchSize].ID + ")"
		}
		return nil, fmt.Errorf("object #%d%s: %w", d.errAt+1, after, explain(d.err))
	}
	objs := make([]Object, 0, d.base)
	for base := 0; base < d.base; base += decodeBatchSize {
		objs = append(objs, d.out[base]...)
	}
	return objs, nil
}

var errTruncated = fmt.Errorf("truncated JSON: the file ends early (incomplete download?): %w", io.ErrUnexpectedEOF)

// lexer finds value boundaries in a stream without decoding them. data is
// the current window; a value cut by the window's end is rescanned after
// the next read, which keeps only the value's own bytes from the old window.
type lexer struct {
	r     io.Reader
	data  []byte
	i     int
	eof   bool
	chunk int
	read  int64 // bytes read so far
	base  int64 // stream offset of data[0]
	limit int64
}

func (lx *lexer) offset() int64 { return lx.base + int64(lx.i) }

// fill keeps data[keep:] and appends the next chunk of input.
func (lx *lexer) fill(keep int) error {
	if lx.eof {
		return errTruncated
	}
	rest := lx.data[keep:]
	size := max(lx.chunk, 2*len(rest))
	buf := make([]byte, len(rest), len(rest)+size)
	copy(buf, rest)
	n, err := io.ReadFull(lx.r, buf[len(rest):cap(buf)])
	buf = buf[:len(rest)+n]
	lx.read += int64(n)
	if lx.read > lx.limit {
		return fmt.Errorf("%w: more than %d MiB; an ATT&CK bundle is far smaller, so this is not one", ErrTooLarge, lx.limit>>20)
	}
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		lx.eof = true
	case err != nil:
		return err
	}
	lx.base += int64(keep)
	lx.i -= keep
	lx.data = buf
	lx.chunk = min(lx.chunk*2, 4<<20)
	return nil
}

func (lx *lexer) ws() error {
	for {
		for lx.i < len(lx.data) {
			switch lx.data[lx.i] {
			case ' ', '\t', '\n', '\r':
				lx.i++
			default:
				return nil
			}
		}
		if lx.eof {
			return nil
		}
		if err := lx.fill(lx.i); err != nil {
			return err
		}
	}
}

func (lx *lexer) unexpected(want string) error {
	if lx.i >= len(lx.data) {
		return errTruncated
	}
	return fmt.Errorf("invalid JSON at byte %d: expected %s, found %q", lx.offset(), want, lx.data[lx.i])
}

// value returns the bytes of the next value, reading more input as needed.
func (lx *lexer) value() ([]byte, error) {
	for {
		start := lx.i
		err := lx.skipValue()
		if err == errTruncated && !lx.eof {
			lx.i = start
			if err := lx.fill(start); err != nil {
				return nil, err
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		return lx.data[start:lx.i], nil
	}
}

// key reads `"name" :` and returns name.
func (lx *lexer) key() (string, error) {
	if lx.i >= len(lx.data) || lx.data[lx.i] != '"' {
		return "", lx.unexpected("a key string")
	}
	at := lx.offset()
	raw, err := lx.value()
	if err != nil {
		return "", err
	}
	var key string
	if bytes.IndexByte(raw, '\\') < 0 {
		key = string(raw[1 : len(raw)-1])
	} else if err := json.Unmarshal(raw, &key); err != nil {
		return "", fmt.Errorf("invalid JSON at byte %d: %v", at, err)
	}
	if err := lx.ws(); err != nil {
		return "", err
	}
	if lx.i >= len(lx.data) || lx.data[lx.i] != ':' {
		return "", lx.unexpected("':'")
	}
	lx.i++
	return key, lx.ws()
}

// array hands each element of the array at the cursor to dec.
func (lx *lexer) array(dec *decoder) error {
	if lx.i >= len(lx.data) {
		return errTruncated
	}
	if lx.data[lx.i] != '[' {
		return fmt.Errorf("%w: \"objects\" is not an array (found %q at byte %d)", ErrNotBundle, lx.data[lx.i], lx.offset())
	}
	lx.i++
	if err := lx.ws(); err != nil {
		return err
	}
	if lx.i < len(lx.data) && lx.data[lx.i] == ']' {
		lx.i++
		return nil
	}
	for {
		if err := lx.ws(); err != nil {
			return err
		}
		raw, err := lx.value()
		if err != nil {
			return err
		}
		dec.add(raw)
		if err := lx.ws(); err != nil {
			return err
		}
		if lx.i >= len(lx.data) {
			return errTruncated
		}
		switch lx.data[lx.i] {
		case ',':
			lx.i++
		case ']':
			lx.i++
			return nil
		default:
			return lx.unexpected("',' or ']' in \"objects\"")
		}
	}
}

// skipValue moves past one value within the window, or returns
// errTruncated when the window ends first. It balances brackets and skips
// strings; whether the inside is valid JSON is left to the decoder.
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
					return fmt.Errorf("invalid JSON at byte %d: nested more than 10000 levels", lx.offset())
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
	return errTruncated // a literal may continue in the next read
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

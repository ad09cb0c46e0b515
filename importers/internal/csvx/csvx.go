// Package csvx reads the CSV exports of other tools into header-keyed rows:
// bounded input size and row count, a byte order mark dropped, the
// delimiter (comma, semicolon or tab) detected from the header, and header
// names matched loosely ("Technique ID", "technique_id" and "TechniqueId"
// are the same column).
package csvx

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
)

// Limits bound one CSV input.
type Limits struct {
	MaxBytes int64 // default 64 MiB
	MaxRows  int   // default 200,000
}

// ErrTooLarge is returned when the input passes a limit.
var ErrTooLarge = errors.New("csv input too large")

// Table is a parsed CSV file: the normalised header and the data rows, each
// with its line number for error messages.
type Table struct {
	Header []string // normalised names, see Key
	Rows   []Row
}

// Row is one data row.
type Row struct {
	Line   int
	fields map[string]string
}

// Get returns the first non-empty value among the named columns (names in
// any spelling; they are normalised with Key).
func (r Row) Get(names ...string) string {
	for _, n := range names {
		if v := strings.TrimSpace(r.fields[Key(n)]); v != "" {
			return v
		}
	}
	return ""
}

// Has reports whether the table has any of the named columns.
func (t *Table) Has(names ...string) bool {
	for _, n := range names {
		k := Key(n)
		for _, h := range t.Header {
			if h == k {
				return true
			}
		}
	}
	return false
}

// Key normalises a header name: lower case, letters and digits only.
func Key(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Read parses r within lim.
func Read(r io.Reader, lim Limits) (*Table, error) {
	if lim.MaxBytes <= 0 {
		lim.MaxBytes = 64 << 20
	}
	if lim.MaxRows <= 0 {
		lim.MaxRows = 200_000
	}
	data, err := io.ReadAll(io.LimitReader(r, lim.MaxBytes+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > lim.MaxBytes {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, lim.MaxBytes)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("empty csv file")
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = detectDelimiter(data)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("csv header: %w", err)
	}
	t := &Table{Header: make([]string, len(header))}
	for i, h := range header {
		t.Header[i] = Key(h)
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return t, nil
		}
		if err != nil {
			return nil, fmt.Errorf("csv: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if len(t.Rows) >= lim.MaxRows {
			return nil, fmt.Errorf("%w: more than %d rows", ErrTooLarge, lim.MaxRows)
		}
		blank := true
		row := Row{Line: line, fields: make(map[string]string, len(rec))}
		for i, v := range rec {
			if i < len(t.Header) && t.Header[i] != "" {
				if _, dup := row.fields[t.Header[i]]; !dup {
					row.fields[t.Header[i]] = v
				}
			}
			if strings.TrimSpace(v) != "" {
				blank = false
			}
		}
		if !blank {
			t.Rows = append(t.Rows, row)
		}
	}
}

func detectDelimiter(data []byte) rune {
	first, _ := bufio.NewReader(bytes.NewReader(data)).ReadString('\n')
	best, n := ',', strings.Count(first, ",")
	for _, d := range []rune{';', '\t'} {
		if c := strings.Count(first, string(d)); c > n {
			best, n = d, c
		}
	}
	return best
}

// ParseTime reads the timestamps export tools write: Unix epoch seconds or
// milliseconds, RFC 3339, and common date-time layouts (taken as UTC when
// they carry no zone).
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if isDigits(s) {
		var n int64
		if _, err := fmt.Sscan(s, &n); err != nil {
			return time.Time{}, err
		}
		if n > 1e11 { // milliseconds
			return time.UnixMilli(n).UTC(), nil
		}
		return time.Unix(n, 0).UTC(), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05",
		"2006-01-02 15:04:05.000Z", "2006-01-02 15:04:05Z07:00", "2006-01-02 15:04", "2006-01-02",
		"01/02/2006 15:04:05", "01/02/2006 15:04", "1/2/2006 3:04:05 PM", "1/2/2006 15:04", "01/02/2006",
		"Jan 2, 2006 3:04:05 PM", "Mon Jan 2 15:04:05 MST 2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("unrecognised time %q", s)
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return len(s) > 0 && len(s) <= 16
}

package csvx_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aegis-sec/aegis/importers/internal/csvx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseTime(t *testing.T) {
	want := time.Date(2025, 7, 1, 10, 30, 0, 0, time.UTC)
	for in, ok := range map[string]bool{
		"1751365800": true, "1751365800000": true, "2025-07-01T10:30:00Z": true, "2025-07-01T12:30:00+02:00": true,
		"2025-07-01 10:30:00": true, "2025-07-01T10:30:00": true, "07/01/2025 10:30": true, "7/1/2025 10:30:00 AM": true,
		"yesterday": false, "2025-13-01": false,
	} {
		got, err := csvx.ParseTime(in)
		assert.Falsef(t, ok && (err != nil || !got.Equal(want)), "%q: %v %v", in, got, err)
		assert.Falsef(t, !ok && err == nil, "%q: accepted as %v", in, got)
	}
	got, err := csvx.ParseTime("  ")
	assert.NoErrorf(t, err, "blank: %v %v", got, err)
	assert.Truef(t, got.IsZero(), "blank: %v %v", got, err)
}

func TestRead(t *testing.T) {
	for name, in := range map[string]string{
		"comma":     "\xef\xbb\xbfTechnique ID,Test Name\nT1001,\"a, b\"\n\n",
		"semicolon": "technique_id;TEST NAME\nT1001;a, b\n",
		"tab":       "TechniqueId\tTest-Name\nT1001\ta, b\n",
	} {
		tab, err := csvx.Read(strings.NewReader(in), csvx.Limits{})
		require.NoErrorf(t, err, "%s: %v %+v", name, err, tab)
		require.Lenf(t, tab.Rows, 1, "%s: %v %+v", name, err, tab)
		require.Truef(t, tab.Has("Technique ID"), "%s: %v %+v", name, err, tab)
		r := tab.Rows[0]
		assert.Falsef(t, r.Get("technique id") != "T1001", "%s: row %+v", name, r)
		assert.Falsef(t, r.Get("nope", "Test Name") != "a, b", "%s: row %+v", name, r)
		assert.EqualValuesf(t, 2, r.Line, "%s: row %+v", name, r)
	}
	_, err := csvx.Read(strings.NewReader("a\n1\n2\n3\n"), csvx.Limits{MaxRows: 2})
	assert.Truef(t, errors.Is(err, csvx.ErrTooLarge), "row limit: %v", err)
	_, err = csvx.Read(strings.NewReader("a,b\n"+strings.Repeat("x", 100)), csvx.Limits{MaxBytes: 50})
	assert.Truef(t, errors.Is(err, csvx.ErrTooLarge), "size limit: %v", err)
	_, err = csvx.Read(strings.NewReader(" \n"), csvx.Limits{})
	assert.NotNil(t, err, "empty accepted")
}

package yamlsafe_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aegis-sec/aegis/importers/internal/yamlsafe"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

const laughs = `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
`

func TestDecode(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		lim     yamlsafe.Limits
		wantErr error
		anyErr  bool
	}{
		{name: "plain", in: "a: 1\nb: [x, y]\n"},
		{name: "small aliases are fine", in: "a: &x {k: v}\nb: *x\nc: *x\n"},
		{name: "billion laughs", in: laughs, wantErr: yamlsafe.ErrAliasBomb},
		{name: "too large", in: "a: " + strings.Repeat("x", 2000) + "\n", lim: yamlsafe.Limits{MaxBytes: 1000}, wantErr: yamlsafe.ErrTooLarge},
		{name: "node budget", in: "a: [1,2,3,4,5,6,7,8,9,10]\n", lim: yamlsafe.Limits{MaxNodes: 5}, wantErr: yamlsafe.ErrAliasBomb},
		{name: "empty", in: "", wantErr: yamlsafe.ErrEmptyDocument},
		{name: "syntax error", in: "a: [unclosed\n", anyErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var v map[string]any
			err := yamlsafe.Decode(strings.NewReader(tc.in), &v, tc.lim)
			switch {
			case tc.wantErr != nil:
				require.Falsef(t, !errors.Is(err, tc.wantErr), "err = %v, want %v", err, tc.wantErr)
			case tc.anyErr:
				require.Error(t, err, "want an error")
			default:
				require.NoError(t, err)
				require.NotEqualValues(t, 0, len(v), "decoded nothing")
			}
		})
	}
}

func TestDecodeAllCountsDocuments(t *testing.T) {
	var names []string
	err := yamlsafe.DecodeAll(strings.NewReader("name: a\n---\nname: b\n---\nname: c\n"), yamlsafe.Limits{},
		func(i int, doc *yaml.Node) error {
			var v struct{ Name string }
			if err := doc.Decode(&v); err != nil {
				return err
			}
			names = append(names, v.Name)
			return nil
		})
	require.NoErrorf(t, err, "names %v err %v", names, err)
	require.Falsef(t, strings.Join(names, ",") != "a,b,c", "names %v err %v", names, err)
	err = yamlsafe.DecodeAll(strings.NewReader("a: 1\n---\na: 2\n---\na: 3\n"), yamlsafe.Limits{MaxDocuments: 2},
		func(int, *yaml.Node) error { return nil })
	require.Falsef(t, !errors.Is(err, yamlsafe.ErrTooManyDocs), "err = %v", err)
	err = yamlsafe.DecodeAll(strings.NewReader("x: 1\n---\n"+laughs), yamlsafe.Limits{},
		func(int, *yaml.Node) error { return nil })
	require.Falsef(t, !errors.Is(err, yamlsafe.ErrAliasBomb), "err = %v", err)
}

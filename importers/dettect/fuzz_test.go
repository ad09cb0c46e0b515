package dettect_test

import (
	"bytes"
	"testing"

	"github.com/aegis-sec/aegis/importers/dettect"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

const fuzzSeed = `version: 1.2
file_type: technique-administration
name: seed
techniques:
- technique_id: T1059.001
  detection:
  - applicable_to: [all]
    location: [EDR]
    score_logbook:
    - {date: 2024-01-02, score: 3, comment: rule}
    - {date: null, score: -1}
  visibility:
  - applicable_to: [Windows workstations, all]
    score_logbook:
    - {date: 2023-11-30, score: 2, auto_generated: true}
`

// FuzzParseDettect: any input either parses into techniques with canonical
// ids and scores on DeTT&CT's scales, or fails with an error; what parses
// writes back (as the exporter does) into a file that parses the same.
func FuzzParseDettect(f *testing.F) {
	f.Add([]byte(fuzzSeed))
	f.Add([]byte("file_type: technique-administration\ntechniques: [{technique_id: T1, detection: [], visibility: []}]\n"))
	f.Add([]byte("file_type: technique-administration\na: &a [1]\nb: [*a, *a]\n"))
	f.Add([]byte("file_type: data-source-administration\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := dettect.Parse(data)
		if err != nil {
			return
		}
		for _, x := range file.Techniques {
			require.Falsef(t, len(x.ID) < 5, "accepted technique id %q", x.ID)
			require.EqualValuesf(t, 'T', x.ID[0], "accepted technique id %q", x.ID)
			for _, e := range x.Detection {
				for _, r := range e.Logbook {
					require.Falsef(t, r.Score < dettect.MinDetection, "detection score %d accepted", r.Score)
					require.Falsef(t, r.Score > dettect.MaxDetection, "detection score %d accepted", r.Score)
				}
			}
			for _, e := range x.Visibility {
				for _, r := range e.Logbook {
					require.Falsef(t, r.Score < dettect.MinVisibility, "visibility score %d accepted", r.Score)
					require.Falsef(t, r.Score > dettect.MaxVisibility, "visibility score %d accepted", r.Score)
				}
			}
		}
		var buf bytes.Buffer
		require.NoError(t, yaml.NewEncoder(&buf).Encode(file), "parsed file does not write back")
		again, err := dettect.Parse(buf.Bytes())
		require.NoErrorf(t, err, "written file does not parse: %v\n%s", err, buf.String())
		require.EqualValuesf(t, len(file.Techniques), len(again.Techniques), "%d techniques written, %d read back", len(file.Techniques), len(again.Techniques))
	})
}

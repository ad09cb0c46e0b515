package dettect_test

import (
	"bytes"
	"testing"

	"github.com/aegis-sec/aegis/importers/dettect"
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
			if len(x.ID) < 5 || x.ID[0] != 'T' {
				t.Fatalf("accepted technique id %q", x.ID)
			}
			for _, e := range x.Detection {
				for _, r := range e.Logbook {
					if r.Score < dettect.MinDetection || r.Score > dettect.MaxDetection {
						t.Fatalf("detection score %d accepted", r.Score)
					}
				}
			}
			for _, e := range x.Visibility {
				for _, r := range e.Logbook {
					if r.Score < dettect.MinVisibility || r.Score > dettect.MaxVisibility {
						t.Fatalf("visibility score %d accepted", r.Score)
					}
				}
			}
		}
		var buf bytes.Buffer
		if err := yaml.NewEncoder(&buf).Encode(file); err != nil {
			t.Fatalf("parsed file does not write back: %v", err)
		}
		again, err := dettect.Parse(buf.Bytes())
		if err != nil {
			t.Fatalf("written file does not parse: %v\n%s", err, buf.String())
		}
		if len(again.Techniques) != len(file.Techniques) {
			t.Fatalf("%d techniques written, %d read back", len(file.Techniques), len(again.Techniques))
		}
	})
}

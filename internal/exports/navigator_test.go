package exports_test

import (
	"bytes"
	"math"
	"net/http"
	"testing"

	"github.com/aegis-sec/aegis/importers/navigator"
	"github.com/aegis-sec/aegis/internal/coverage"
	"github.com/aegis-sec/aegis/internal/coverage/coveragetest"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/stretchr/testify/require"
)

// Navigator layers on the real ATT&CK bundle and the small demo, through the
// routes: the coverage, actor and campaign layers, and the delta layer of a
// snapshot comparison.
func TestNavigatorLayersOnRealAttackAndDemo(t *testing.T) {
	app := coveragetest.DemoApp(t)
	srv := testutil.Serve(t, app)
	base := srv.URL + "/api/aegis"
	viewer := testutil.Users(t)["viewer"].Token
	get := coveragetest.Get

	var m coverage.Matrix
	get(t, base+"/coverage/matrix", viewer, &m)
	var found string
	for _, ta := range m.Tactics {
		for _, tc := range ta.Techniques {
			for _, st := range tc.Subtechniques {
				if st.V != nil && found == "" {
					found = st.AttackID
				}
			}
		}
	}
	require.NotEmpty(t, found, "no validated sub-technique in the demo")
	var roundCamp string
	require.NoError(t, app.DB().NewQuery("SELECT parent FROM campaigns WHERE parent != '' LIMIT 1").Row(&roundCamp))

	// The delta layer of a snapshot comparison has one technique per change.
	var trend coverage.Trend
	get(t, base+"/trends", viewer, &trend)
	require.NotEmpty(t, trend.Points, "the demo back-fills snapshots")
	res := testutil.Do(t, http.MethodPost, base+"/snapshots", testutil.Users(t)["blue_lead"].Token, map[string]string{"label": "now"})
	require.Equal(t, http.StatusOK, res.Status, "snapshot: %d %s", res.Status, res.Body)
	var snap coverage.Snapshot
	res.JSON(t, &snap)
	var cmp coverage.Comparison
	get(t, base+"/compare?a="+trend.Points[0].ID+"&b="+snap.ID, viewer, &cmp)
	res = get(t, base+"/compare?layer=1&a="+trend.Points[0].ID+"&b="+snap.ID, viewer, nil)
	layer, err := navigator.Parse(bytes.NewReader(res.Body))
	require.NoError(t, err, "delta layer")
	require.Equal(t, "4.5", layer.Versions.Layer, "delta layer: %v", err)
	require.Len(t, layer.Techniques, len(cmp.Changes), "delta layer: %v", err)

	// Navigator layers validate against the v4.5 format document and the
	// real catalogue, for the whole coverage, an actor and a campaign.
	spec := loadLayerSpec(t)
	techniques, tactics := map[string]bool{}, map[string]bool{}
	var ids []string
	require.NoError(t, app.DB().NewQuery("SELECT attack_id FROM techniques WHERE revoked = 0 AND deprecated = 0").Column(&ids))
	for _, id := range ids {
		techniques[id] = true
	}
	require.NoError(t, app.DB().NewQuery("SELECT shortname FROM tactics").Column(&ids))
	for _, id := range ids {
		tactics[id] = true
	}
	for _, scope := range []string{"coverage", "actor:G0016", "campaign:" + roundCamp} {
		t.Run(scope, func(t *testing.T) {
			res := get(t, base+"/export/navigator?scope="+scope, viewer, nil)
			validateLayer(t, spec, res.Body, techniques, tactics)
			// Round trip through our own layer import: parse, re-marshal, parse.
			l, err := navigator.Parse(bytes.NewReader(res.Body))
			require.NoError(t, err, "%s: our own import rejects the export", scope)
			again, err := navigator.Marshal(l)
			require.NoError(t, err, "marshal the parsed layer again")
			l2, err := navigator.Parse(bytes.NewReader(again))
			require.NoError(t, err, "%s: round trip changed the layer", scope)
			require.Equal(t, l, l2, "%s: the round trip keeps the layer", scope)
			require.False(t, scope == "coverage" && len(l.Techniques) < 600, "coverage layer: %d techniques", len(l.Techniques))
			require.Equal(t, "18", l.Versions.Attack, "attack version %q", l.Versions.Attack)
			require.NotEmpty(t, navigator.Selected(l), "attack version %q", l.Versions.Attack)
			// The layer's scores are the matrix scores.
			for _, lt := range l.Techniques {
				if lt.Score == nil {
					continue
				}
				var one struct{ Technique coverage.Score }
				if lt.TechniqueID == found {
					get(t, base+"/coverage/techniques/"+found, viewer, &one)
					require.False(t, math.Abs(*lt.Score-math.Round(one.Technique.Score*100)/100) > 0.01 && scope == "coverage", "%s layer score %v, API %v", found, *lt.Score, one.Technique.Score)
				}
			}
		})
	}
}

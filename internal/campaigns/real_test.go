package campaigns_test

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers"
	"github.com/aegis-sec/aegis/importers/atomic"
	"github.com/aegis-sec/aegis/importers/attack"
	"github.com/aegis-sec/aegis/importers/source"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/dbx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// usedOn reads the bundle itself: the ATT&CK ids of the live techniques
// that group uses (live "uses" relationships) and that run on platform.
func usedOn(t *testing.T, bundle, group, platform string) map[string]bool {
	f, err := os.Open(bundle)
	require.NoError(t, err)
	defer f.Close()
	zr, err := gzip.NewReader(f)
	require.NoError(t, err)
	var b struct {
		Objects []struct {
			ID                 string `json:"id"`
			Type               string `json:"type"`
			RelationshipType   string `json:"relationship_type"`
			SourceRef          string `json:"source_ref"`
			TargetRef          string `json:"target_ref"`
			Revoked            bool
			Deprecated         bool     `json:"x_mitre_deprecated"`
			Platforms          []string `json:"x_mitre_platforms"`
			ExternalReferences []struct {
				SourceName string `json:"source_name"`
				ExternalID string `json:"external_id"`
			} `json:"external_references"`
		}
	}
	require.NoError(t, json.NewDecoder(zr).Decode(&b))
	attackID := map[string]string{}
	live := map[string]bool{}
	groupRef := ""
	for _, o := range b.Objects {
		for _, r := range o.ExternalReferences {
			if r.SourceName == "mitre-attack" {
				attackID[o.ID] = r.ExternalID
			}
		}
		if o.Type == "intrusion-set" && attackID[o.ID] == group {
			groupRef = o.ID
		}
		if o.Type == "attack-pattern" && !o.Revoked && !o.Deprecated && slices.Contains(o.Platforms, platform) {
			live[o.ID] = true
		}
	}
	require.NotEmpty(t, groupRef, "%s not in the bundle", group)
	out := map[string]bool{}
	for _, o := range b.Objects {
		if o.Type == "relationship" && o.RelationshipType == "uses" && o.SourceRef == groupRef && !o.Revoked && !o.Deprecated && live[o.TargetRef] {
			out[attackID[o.TargetRef]] = true
		}
	}
	return out
}

func TestFromRealActorOfTheSharedBundle(t *testing.T) {
	data := testutil.SharedData(t)
	bundle := filepath.Join(data, "attack", "enterprise-attack-18.1.json.gz")
	e := newEnv(t)
	ctx := context.Background()
	for _, imp := range []struct {
		spec string
		fn   importers.Func
	}{{bundle, attack.Import}, {filepath.Join(data, "atomic-red-team-atomics.tar.gz"), atomic.Import}} {
		src, err := source.Open(imp.spec, source.Options{})
		require.NoError(t, err, "open %s", imp.spec)
		_, err = imp.fn(ctx, e.App, src, importers.Options{})
		require.NoError(t, err, "import %s", imp.spec)
	}
	const group, platform = "G0016", "Windows" // APT29
	want := usedOn(t, bundle, group, platform)
	require.GreaterOrEqual(t, len(want), 20, "oracle found only %d techniques for %s", len(want), group)
	res := e.Do("POST", "/api/aegis/campaigns/from-actor", c.RoleRedLead, map[string]any{"actor": group, "platforms": []string{platform}})
	require.Equal(t, 200, res.Status, "from-actor: %d %s", res.Status, res.Body)
	var g generated
	res.JSON(t, &g)
	got := map[string]int{}
	prefilled, withTemplates := 0, 0
	for _, tc := range g.Tests {
		tech := e.Get(c.Techniques, tc.Technique)
		got[tech.GetString("attack_id")]++
		n, _ := e.App.CountRecords(c.TestTemplates, dbx.HashExp{"technique": tech.Id})
		if n > 0 && tc.Template != "" {
			prefilled++
		}
		if tc.Template != "" {
			tpl := e.Get(c.TestTemplates, tc.Template)
			assert.True(t, slices.ContainsFunc(platformsOf(tpl.Get("platforms")), func(p string) bool { return p == "windows" }), "%s: template %s is not for windows or procedure empty", tech.GetString("attack_id"), tpl.GetString("source_id"))
			assert.NotEmpty(t, tc.Procedure, "%s: template %s is not for windows or procedure empty", tech.GetString("attack_id"), tpl.GetString("source_id"))
			withTemplates++
		}
	}
	for id := range want {
		assert.Equal(t, 1, got[id], "%s: %d tests, want 1", id, got[id])
	}
	for id, n := range got {
		assert.True(t, want[id], "%s got %d tests but %s does not use it on %s", id, n, group, platform)
	}
	assert.NotEqual(t, 0, prefilled, "no test was prefilled from an Atomic Red Team template")
	t.Logf("%s on %s: %d techniques, %d tests, %d prefilled from templates, %d skipped", group, platform, len(want),
		len(g.Tests), withTemplates, len(g.Skipped))
}

func platformsOf(v any) []string {
	var out []string
	raw, _ := json.Marshal(v)
	json.Unmarshal(raw, &out)
	return out
}

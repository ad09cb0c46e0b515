package migrations_test

import (
	"sort"
	"testing"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// vocabulary names the enum in collections that each select field of an
// Aegis collection must hold. Migrations freeze their literal values, so a
// new enum value reaches the database only through a new migration: this
// test fails until one is written.
var vocabulary = map[string][]string{
	c.Users + ".role":                   c.RoleNames(),
	c.Techniques + ".priority":          c.Priorities,
	c.ThreatActors + ".source":          c.ActorSources,
	c.ActorTechniques + ".source":       c.ActorSources,
	c.Software + ".kind":                c.SoftwareKinds,
	c.TestTemplates + ".source":         c.TemplateSources,
	c.Campaigns + ".status":             c.CampaignStatuses,
	c.DefenseTools + ".kind":            c.DefenseToolKinds,
	c.Tests + ".state":                  c.TestStates,
	c.Tests + ".red_result":             c.RedResults,
	c.Tests + ".prevention":             c.PreventionOutcomes,
	c.Tests + ".detection":              c.DetectionOutcomes,
	c.Tests + ".alert_severity":         c.Severities,
	c.TestOutcomes + ".prevention":      c.PreventionOutcomes,
	c.TestOutcomes + ".detection":       c.DetectionOutcomes,
	c.Findings + ".severity":            c.Severities,
	c.Findings + ".status":              c.FindingStatuses,
	c.Evidence + ".team":                c.EvidenceTeams,
	c.DetectionRules + ".severity":      c.Severities,
	c.D3fendTechniques + ".tactic":      c.D3fendTactics,
	c.D3fendTechniques + ".status":      c.D3fendStatuses,
	c.DetectionRules + ".source":        c.RuleSources,
	c.ComplianceControls + ".status":    c.ControlStatuses,
	c.ControlMappings + ".mapping_type": c.MappingTypes,
	c.AuditLogs + ".actor_kind":         c.ActorKinds,
	c.Integrations + ".kind":            c.IntegrationKinds,
	c.JobRuns + ".trigger":              c.JobTriggers,
	c.PendingAttackRefs + ".kind":       c.PendingRefKinds,
	c.TechniqueAssessments + ".kind":    c.AssessmentKinds,
	c.JobRuns + ".status":               c.JobStatuses,
}

func TestMigratedSelectFieldsMatchTheVocabulary(t *testing.T) {
	app := testutil.NewApp(t)
	cols, err := app.FindAllCollections()
	require.NoError(t, err)
	seen := map[string]bool{}
	for _, col := range cols {
		if col.System || col.Name == core.CollectionNameSuperusers {
			continue
		}
		for _, f := range col.Fields {
			sf, ok := f.(*core.SelectField)
			if !ok {
				continue
			}
			key := col.Name + "." + sf.Name
			seen[key] = true
			want, ok := vocabulary[key]
			if !assert.Truef(t, ok, "select field %s is not tied to an enum in collections: add it to the vocabulary table", key) {
				continue
			}
			assert.Equalf(t, sorted(want), sorted(sf.Values),
				"select field %s differs from its enum in collections: write a migration that sets the new values", key)
		}
	}
	for key := range vocabulary {
		assert.Truef(t, seen[key], "vocabulary table names %s, which no migration creates", key)
	}
}

func sorted(xs []string) []string {
	out := append([]string(nil), xs...)
	sort.Strings(out)
	return out
}

package campaigns_test

import (
	"net/http"
	"testing"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFromActorPreviewWritesNothing(t *testing.T) {
	e := newEnv(t)
	win := e.technique("T1003.001", []string{"Windows"}, nil)
	mac := e.technique("T1059.002", []string{"macOS"}, nil)
	bare := e.technique("T1112", []string{"Windows"}, nil)
	actor := e.Save(c.ThreatActors, map[string]any{"stix_id": "intrusion-set--p", "attack_id": "G7777", "name": "Preview Bear", "source": "attack"})
	for _, tech := range []string{win.Id, mac.Id, bare.Id} {
		e.Save(c.ActorTechniques, map[string]any{"actor": actor.Id, "technique": tech})
	}
	e.Save(c.TestTemplates, map[string]any{"source": "atomic", "source_id": "a-lsass", "technique": win.Id, "name": "Dump LSASS with ProcDump",
		"platforms": []string{"windows"}, "executor": map[string]any{"name": "command_prompt", "command": "#{procdump_exe} -ma lsass.exe"}})
	e.Save(c.TestTemplates, map[string]any{"source": "atomic", "source_id": "a-osa", "technique": mac.Id, "name": "AppleScript",
		"platforms": []string{"macos"}, "executor": map[string]any{"name": "sh", "command": "osascript -e x"}})

	scenarios := []struct {
		name      string
		role      c.Role
		body      map[string]any
		status    int
		techs     []string // techniques previewed, in order
		templates []string
		skipped   int
	}{
		{"windows preview picks the windows template and skips macOS", c.RoleRedLead,
			map[string]any{"actor": "G7777", "platforms": []string{"windows"}, "preview": true}, http.StatusOK,
			[]string{"T1003.001", "T1112"}, []string{"Dump LSASS with ProcDump", ""}, 1},
		{"any platform previews every technique", c.RoleRedLead,
			map[string]any{"actor": "G7777", "preview": true}, http.StatusOK,
			[]string{"T1003.001", "T1059.002", "T1112"}, []string{"Dump LSASS with ProcDump", "AppleScript", ""}, 0},
		{"operators may not preview", c.RoleRedOperator, map[string]any{"actor": "G7777", "preview": true}, http.StatusForbidden, nil, nil, 0},
		{"unknown actor", c.RoleRedLead, map[string]any{"actor": "G0000", "preview": true}, http.StatusNotFound, nil, nil, 0},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			before := map[string]int{}
			for _, col := range []string{c.Campaigns, c.Tests, c.AuditLogs} {
				n, err := e.App.CountRecords(col)
				require.NoError(t, err)
				before[col] = int(n)
			}
			res := e.Do("POST", "/api/aegis/campaigns/from-actor", s.role, s.body)
			require.Equal(t, s.status, res.Status, string(res.Body))
			for col, n := range before {
				after, err := e.App.CountRecords(col)
				require.NoError(t, err)
				assert.Equal(t, n, int(after), "%s written by a preview", col)
			}
			if s.status != http.StatusOK {
				return
			}
			var out struct {
				Campaign any
				Preview  []struct{ Technique, Template, Platform, Why string }
				Skipped  []string
			}
			res.JSON(t, &out)
			assert.Nil(t, out.Campaign)
			var techs, tpls []string
			for _, p := range out.Preview {
				techs, tpls = append(techs, p.Technique), append(tpls, p.Template)
				assert.NotEmpty(t, p.Why)
			}
			assert.Equal(t, s.techs, techs)
			assert.Equal(t, s.templates, tpls)
			assert.Len(t, out.Skipped, s.skipped)
		})
	}
}

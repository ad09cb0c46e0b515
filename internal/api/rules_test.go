package api_test

import (
	"net/http"
	"strings"
	"testing"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const lsassRule = `title: LSASS memory read by an unusual process
id: 0b4c4e3a-8d8f-4b37-9d55-0b1f0d2a7c11
status: experimental
description: A process other than the usual suspects opened lsass.exe.
author: Blue team
level: high
logsource:
    product: windows
    category: process_access
detection:
    selection:
        TargetImage|endswith: '\lsass.exe'
    condition: selection
tags:
    - attack.credential_access
    - attack.t1003.001
    - attack.t9999
`

// aliasBomb is a "billion laughs" YAML document: nine levels of nine aliases.
var aliasBomb = func() string {
	var b strings.Builder
	b.WriteString("title: bomb\nid: bomb\na0: &a0 [x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 9; i++ {
		b.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [")
		for j := 0; j < 9; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a" + string(rune('0'+i-1)))
		}
		b.WriteString("]\n")
	}
	b.WriteString("detection:\n    selection: *a8\n    condition: selection\n")
	return b.String()
}()

func TestRulesWrittenInTheUI(t *testing.T) {
	srv := testutil.NewServer(t)
	app := srv.App
	users := testutil.Users(t)
	tech := testutil.Save(t, app, c.Techniques, map[string]any{"stix_id": "attack-pattern--lsass", "attack_id": "T1003.001", "name": "LSASS Memory", "domain": "enterprise-attack"})
	imported := testutil.Save(t, app, c.DetectionRules, map[string]any{"source": "sigma", "source_rule_id": "11111111-2222-3333-4444-555555555555",
		"title": "Imported", "meta": map[string]any{"origin": "sigma-rules.tar.gz"}, "enabled": false})
	other := testutil.Save(t, app, c.DetectionRules, map[string]any{"source": "splunk", "source_rule_id": "spl-1", "title": "Splunk search", "enabled": false})
	tok := func(role c.Role) string {
		if role == "" {
			return ""
		}
		return users[role].Token
	}
	importedId := strings.Replace(lsassRule, "0b4c4e3a-8d8f-4b37-9d55-0b1f0d2a7c11", "11111111-2222-3333-4444-555555555555", 1)
	scenarios := []struct {
		name   string
		method string
		url    string
		role   c.Role
		body   any
		status int
		want   []string
	}{
		{"validate resolves known tags and names unknown ones", "POST", "/api/aegis/rules/validate", c.RoleBlueAnalyst, map[string]any{"content": lsassRule},
			http.StatusOK, []string{`"valid":true`, `"attack_id":"T1003.001"`, `"id":"` + tech.Id, `"unknown_techniques":["T9999"]`}},
		{"validate explains a rule without detection", "POST", "/api/aegis/rules/validate", c.RoleBlueLead, map[string]any{"content": "title: x\nid: abc\n"},
			http.StatusOK, []string{`"valid":false`, `no detection section`}},
		{"validate explains broken YAML", "POST", "/api/aegis/rules/validate", c.RoleBlueLead, map[string]any{"content": "title: [unclosed\n"},
			http.StatusOK, []string{`"valid":false`, `"error":"`}},
		{"validate refuses an empty rule", "POST", "/api/aegis/rules/validate", c.RoleBlueLead, map[string]any{"content": "  "},
			http.StatusOK, []string{`"valid":false`, `The rule is empty.`}},
		{"validate refuses an oversized rule with a clear reason", "POST", "/api/aegis/rules/validate", c.RoleBlueLead, map[string]any{"content": lsassRule + "# " + strings.Repeat("x", 2<<20) + "\n"},
			http.StatusOK, []string{`"valid":false`, `The rule is larger than`}},
		{"an alias bomb is refused, not expanded", "POST", "/api/aegis/rules/sigma", c.RoleBlueLead, map[string]any{"content": aliasBomb},
			http.StatusBadRequest, []string{"alias"}},
		{"anonymous callers may not validate", "POST", "/api/aegis/rules/validate", "", map[string]any{"content": lsassRule}, http.StatusUnauthorized, nil},
		{"analysts may not save rules", "POST", "/api/aegis/rules/sigma", c.RoleBlueAnalyst, map[string]any{"content": lsassRule}, http.StatusForbidden, nil},
		{"an invalid rule is not saved", "POST", "/api/aegis/rules/sigma", c.RoleBlueLead, map[string]any{"content": "title: x\nid: abc\n"}, http.StatusBadRequest, []string{"no detection section"}},
		{"a blue lead saves a Sigma rule, enabled", "POST", "/api/aegis/rules/sigma", c.RoleBlueLead, map[string]any{"content": lsassRule},
			http.StatusOK, []string{`"enabled":true`, `"techniques":["` + tech.Id + `"]`, `"authored":"ui"`}},
		{"saving it again updates the same rule", "POST", "/api/aegis/rules/sigma", c.RoleBlueLead, map[string]any{"content": strings.Replace(lsassRule, "level: high", "level: critical", 1), "enabled": false},
			http.StatusOK, []string{`"severity":"critical"`, `"enabled":false`}},
		{"an imported rule's id is refused", "POST", "/api/aegis/rules/sigma", c.RoleBlueLead, map[string]any{"content": importedId}, http.StatusConflict, []string{"imported"}},
		{"bulk needs enabled", "POST", "/api/aegis/rules/bulk", c.RoleBlueLead, map[string]any{"ids": []string{imported.Id}}, http.StatusBadRequest, []string{"enabled"}},
		{"bulk is all or nothing", "POST", "/api/aegis/rules/bulk", c.RoleBlueLead, map[string]any{"ids": []string{imported.Id, "nope"}, "enabled": true}, http.StatusBadRequest, []string{"nothing changed"}},
		{"analysts may not bulk enable", "POST", "/api/aegis/rules/bulk", c.RoleBlueAnalyst, map[string]any{"ids": []string{imported.Id}, "enabled": true}, http.StatusForbidden, nil},
		{"a blue lead enables imported and other rules in bulk", "POST", "/api/aegis/rules/bulk", c.RoleBlueLead, map[string]any{"ids": []string{imported.Id, other.Id, imported.Id}, "enabled": true},
			http.StatusOK, []string{`"updated":2`}},
		{"an imported rule stays read-only apart from enabled", "PATCH", "/api/collections/detection_rules/records/" + imported.Id, c.RoleBlueLead, map[string]any{"title": "renamed"},
			http.StatusBadRequest, []string{"only \\\"enabled\\\" can be changed"}},
	}
	table := make([]testutil.Scenario, 0, len(scenarios))
	for _, s := range scenarios {
		table = append(table, testutil.Scenario{
			Name: s.name, Method: s.method, URL: s.url, Token: tok(s.role), Body: s.body,
			ExpectedStatus: s.status, ExpectedError: s.status >= http.StatusBadRequest, ExpectedContent: s.want,
		})
	}
	srv.Run(t, table...)
	n, err := app.CountRecords(c.DetectionRules)
	require.NoError(t, err)
	assert.Equal(t, int64(3), n, "one rule written in the UI, updated in place")
	for _, id := range []string{imported.Id, other.Id} {
		r, err := app.FindRecordById(c.DetectionRules, id)
		require.NoError(t, err)
		assert.True(t, r.GetBool("enabled"), id)
	}
	r, err := app.FindRecordById(c.DetectionRules, imported.Id)
	require.NoError(t, err)
	assert.Equal(t, "Imported", r.GetString("title"))
}

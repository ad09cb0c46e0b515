package hooks_test

import (
	"fmt"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
	"github.com/stretchr/testify/require"
)

// BenchmarkSave measures what the audit trail costs a Go app.Save of a
// domain record: its own transaction plus one audit_logs insert.
func BenchmarkSave(b *testing.B) {
	for _, audited := range []bool{true, false} {
		b.Run(fmt.Sprintf("audited=%v", audited), func(b *testing.B) {
			ta := testutil.NewApp(b)
			if !audited {
				ta.OnRecordCreateExecute().Unbind("aegisAuditCreate")
			}
			col, err := ta.FindCollectionByNameOrId(collections.DefenseTools)
			require.NoError(b, err, "find the defense tools collection")
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				r := core.NewRecord(col)
				r.Set("name", fmt.Sprintf("tool %d", i))
				require.NoError(b, ta.Save(r), "save a defense tool")
			}
		})
	}
}

// BenchmarkSaveTestChild measures an audited save of something hung on a
// test (a comment): its entry also reads the test's revealed flag.
func BenchmarkSaveTestChild(b *testing.B) {
	ta := testutil.NewApp(b)
	save := func(col string, fields map[string]any) *core.Record { return testutil.Save(b, ta, col, fields) }
	tech := save(collections.Techniques, map[string]any{"stix_id": "attack-pattern--b", "attack_id": "T1001", "name": "T", "domain": "enterprise-attack"})
	test := save(collections.Tests, map[string]any{"name": "t", "technique": tech.Id})
	author := testutil.Users(b)[collections.RoleRedLead].Id
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		save(collections.TestComments, map[string]any{"test": test.Id, "author": author, "body": fmt.Sprintf("comment %d", i)})
	}
}

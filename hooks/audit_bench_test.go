package hooks_test

import (
	"fmt"
	"testing"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/testutil"
	"github.com/pocketbase/pocketbase/core"
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
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				r := core.NewRecord(col)
				r.Set("name", fmt.Sprintf("tool %d", i))
				if err := ta.Save(r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

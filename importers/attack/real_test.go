package attack_test

import (
	"testing"
	"time"

	"github.com/aegis-sec/aegis/testutil"
)

func TestEnterpriseQuick(t *testing.T) {
	app := testutil.NewApp(t)
	start := time.Now()
	rep := mustImport(t, app, shared(t, "enterprise-attack-18.1.json.gz"))
	t.Logf("first: %s created=%d updated=%d unchanged=%d skipped=%v", time.Since(start), rep.Created, rep.Updated, rep.Unchanged, rep.Skipped)
	start = time.Now()
	rep = mustImport(t, app, shared(t, "enterprise-attack-18.1.json.gz"))
	t.Logf("again: %s created=%d updated=%d unchanged=%d nochange=%v", time.Since(start), rep.Created, rep.Updated, rep.Unchanged, rep.NoChange)
}

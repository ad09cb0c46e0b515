package report_test

import (
	"testing"

	"github.com/aegis-sec/aegis/internal/coverage/coveragetest"
	"github.com/aegis-sec/aegis/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

var (
	now        = coveragetest.Now
	demoApp    = coveragetest.DemoApp
	get        = coveragetest.Get
	gapFixture = coveragetest.GapFixture
)

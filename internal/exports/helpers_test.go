package exports_test

import (
	"testing"

	"github.com/aegis-sec/aegis/internal/coverage/coveragetest"
	"github.com/aegis-sec/aegis/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

var seedTests = coveragetest.SeedTests

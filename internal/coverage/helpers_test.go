package coverage_test

import "github.com/aegis-sec/aegis/internal/coverage/coveragetest"

// Shared fixtures (coveragetest), under the names these tests use.
var (
	demoApp    = coveragetest.DemoApp
	get        = coveragetest.Get
	gapFixture = coveragetest.GapFixture
	seedTests  = coveragetest.SeedTests
)

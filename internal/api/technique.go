package api

import (
	"net/http"

	"github.com/aegis-sec/aegis/internal/coverage"
	"github.com/pocketbase/pocketbase/core"
)

// supersededPerPage is the default page size of a technique's superseded tests.
const supersededPerPage = 25

// handleTechniqueScore answers the Technique page: the technique's score
// with the reasons that count and the counts of its tests (kept with the
// model per visibility class, platform and campaign), or with tests_page a
// page of its superseded tests.
func handleTechniqueScore(e *core.RequestEvent) error {
	opt := coverageFilter(e).Options()
	id := e.Request.PathValue("attack_id")
	eng := coverage.For(e.App)
	if e.Request.URL.Query().Has("tests_page") {
		page := queryInt(e, "tests_page", 0, 1_000_000)
		if page == 0 {
			return e.BadRequestError("tests_page must be a page number from 1.", nil)
		}
		p, err := eng.SupersededTests(opt, id, page, queryInt(e, "tests_per_page", supersededPerPage, 100))
		if err != nil {
			return coverageError(e, err)
		}
		if p == nil {
			return e.NotFoundError("No technique "+id+".", nil)
		}
		return e.JSON(http.StatusOK, p)
	}
	b, ok, err := eng.TechniqueBlob(opt, id)
	if err != nil {
		return coverageError(e, err)
	}
	if !ok {
		return e.NotFoundError("No technique "+id+".", nil)
	}
	return writeBlob(e, b)
}

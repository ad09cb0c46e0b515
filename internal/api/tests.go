package api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/evidence"
	"github.com/aegis-sec/aegis/internal/workflow"
	validation "github.com/go-ozzo/ozzo-validation/v4"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
)

func registerTestRoutes(g *Group) {
	g.POST("/tests/bulk", handleTestsBulk).Bind(requireRole(c.RoleAdmin, c.RoleRedLead, c.RoleBlueLead))
	g.POST("/tests/{id}/transition", handleTransition).Bind(requireUser())
	g.GET("/tests/{id}/actions", handleTestActions).Bind(requireUser())
	g.GET("/tests/actions", handleTestsActions).Bind(requireUser())
	g.POST("/tests/{id}/retest", handleRetest).Bind(requireRole(c.RoleAdmin, c.RoleRedLead))
	g.GET("/tests/{id}/history", handleTestHistory).Bind(requireUser())
	// The upload streams to disk and enforces the evidence size limit
	// itself, so the default 32 MB body limit is lifted on this route.
	g.POST("/tests/{id}/evidence", handleEvidenceUpload).Bind(requireUser(), apis.BodyLimit(0))

	document(
		Op{Method: "POST", Path: Prefix + "/tests/{id}/transition", Tags: []string{"tests"}, Auth: "user",
			Summary: "Move a test through the validation workflow (the only way its state changes)",
			Description: "Actions: approve (red_lead/admin; red_assignee, optional blue_assignee, due_at), " +
				"start (assigned red operator or red lead), submit (red; red_result ∈ executed|blocked_on_execution|" +
				"failed_to_execute, executed_at), record (blue; prevention, detection, detected_at?, detection_rules?, " +
				"tool_outcomes? [{defense_tool, prevention, detection, detected_at, notes}] — the test's outcome is the " +
				"best across tools; a miss opens a finding, a passing retest resolves the findings of the test it retests), " +
				"rework (blue; reason), close (leads/admin), cancel (red lead/admin; reason), reveal (red lead/admin; blind " +
				"campaigns), confirm (blue lead/admin; an outcome imported from a file by someone else starts to " +
				"count as validated). `revision` must be the revision last read. Errors: 400 missing or invalid field, 403 wrong " +
				"role or not the assignee, 404 unknown or hidden test, 409 wrong state or stale revision. One " +
				"transaction: revision bump, audit entry, notification of the next actor; realtime subscribers of " +
				"tests receive the update.",
			Request:  map[string]any{"action": "record", "revision": 4, "prevention": "not_blocked", "detection": "technique", "tool_outcomes": []workflow.ToolOutcome{{DefenseTool: "TOOL_ID", Prevention: "not_blocked", Detection: "technique"}}},
			Response: map[string]any{"id": "TEST_ID", "state": c.StateValidated, "revision": 5}},
		Op{Method: "GET", Path: Prefix + "/tests/{id}/actions", Tags: []string{"tests"}, Auth: "user",
			Summary:  "The transition actions the caller may take on a test now",
			Response: map[string]any{"actions": []string{"start", "cancel"}, "revision": 2}},
		Op{Method: "GET", Path: Prefix + "/tests/actions", Tags: []string{"tests"}, Auth: "user",
			Summary: "The actions the caller may take now on each of many tests (for boards and lists)",
			Description: "ids: comma-separated test ids, at most 500. Tests that do not exist or are hidden from the " +
				"caller are left out. Each entry also carries the revision and state the answer was computed on.",
			Query:    []Param{{Name: "ids", Description: "comma-separated test ids (at most 500)"}},
			Response: map[string]any{"tests": map[string]any{"TEST_ID": map[string]any{"actions": []string{c.ActionStart, c.ActionCancel}, "revision": 2, "state": c.StateReady}}}},
		Op{Method: "POST", Path: Prefix + "/tests/{id}/retest", Tags: []string{"tests"}, Auth: "red_lead,admin",
			Summary:  "Plan a retest: a new draft test with the same procedure, linked by retest_of (validated or closed tests only)",
			Response: map[string]any{"id": "NEW_TEST_ID", "state": c.StateDraft, "retest_of": "TEST_ID"}},
		Op{Method: "POST", Path: Prefix + "/tests/bulk", Tags: []string{"tests"}, Auth: "red_lead,blue_lead,admin",
			Summary: "Bulk action on many tests, all or nothing",
			Description: "approve (draft → ready, red_assignee required), assign (red_assignee and/or blue_assignee; the new " +
				"assignee of a test waiting for them is notified), move (campaign), copy (fresh drafts in campaign), cancel " +
				"(reason required), retest (validated or closed tests; returns the new drafts). At most 1000 ids. Blue leads " +
				"may only assign blue_assignee.",
			Request:  workflow.BulkInput{Action: "approve", Ids: []string{"TEST_ID"}, RedAssignee: "USER_ID"},
			Response: map[string]any{"tests": []any{map[string]any{"id": "TEST_ID", "state": c.StateReady}}}},
		Op{Method: "GET", Path: Prefix + "/tests/{id}/history", Tags: []string{"tests"}, Auth: "user",
			Summary:  "A test's history from the audit log: its changes, transitions and those of its outcomes, evidence, comments and findings",
			Query:    []Param{{Name: "limit", Description: "at most this many entries (default and max 5000)"}},
			Response: map[string]any{"items": []workflow.HistoryEntry{{Action: c.AuditTransition, Collection: c.Tests}}}},
		Op{Method: "POST", Path: Prefix + "/tests/{id}/evidence", Tags: []string{"tests", "evidence"}, Auth: "user",
			Multipart: true,
			Summary:   "Upload evidence for a test (multipart `file`, optional `note`; admins may send `team`)",
			Description: "Streams to disk (bounded memory) while computing sha256 and sniffing the MIME type. The team " +
				"follows the uploader's role (red or blue). 403 for viewers and unassigned red operators, 404 when the test " +
				"is hidden from the caller, 413 over settings.evidence.max_bytes (default 1 GiB), 415 for a type outside " +
				"settings.evidence.allowed_mimes. Download with a file token: GET /api/files/evidence/{id}/{file}?token=…; " +
				"active content (HTML, SVG, scripts, XML) is always served as an attachment.",
			Response: map[string]any{"id": "EVIDENCE_ID", "test": "TEST_ID", "team": "red", "file": "capture_abc123.pcap",
				"filename": "capture.pcap", "mime": "application/vnd.tcpdump.pcap", "size": 1048576, "sha256": "…"}},
	)
}

// domainError passes the domain packages' API errors through and turns
// validation failures into 400s; anything else is logged as a 500.
func domainError(e *core.RequestEvent, err error) error {
	var apiErr *router.ApiError
	if errors.As(err, &apiErr) {
		return apiErr
	}
	var verr validation.Errors
	if errors.As(err, &verr) {
		return e.BadRequestError("Invalid data.", verr)
	}
	e.App.Logger().Error("request failed", "path", e.Request.URL.Path, "error", err)
	return e.InternalServerError("", err)
}

func handleTransition(e *core.RequestEvent) error {
	var in workflow.Input
	if err := e.BindBody(&in); err != nil {
		return e.BadRequestError("Invalid JSON body.", err)
	}
	rec, err := workflow.Transition(e.App, workflow.ActorFromRequest(e), e.Request.PathValue("id"), in)
	if err != nil {
		return domainError(e, err)
	}
	return e.JSON(http.StatusOK, rec)
}

func handleTestActions(e *core.RequestEvent) error {
	actor := workflow.ActorFromRequest(e)
	test, err := e.App.FindRecordById(c.Tests, e.Request.PathValue("id"))
	if err != nil || !actor.CanSee(test) {
		return e.NotFoundError("Test not found.", nil)
	}
	return e.JSON(http.StatusOK, map[string]any{"actions": workflow.Allowed(actor, test), "revision": c.AsTest(test).Revision(),
		"state": c.AsTest(test).State()})
}

// maxActionIds bounds GET /tests/actions (one board page of tests).
const maxActionIds = 500

func handleTestsActions(e *core.RequestEvent) error {
	actor := workflow.ActorFromRequest(e)
	var ids []any
	seen := map[string]bool{}
	for _, id := range strings.Split(e.Request.URL.Query().Get("ids"), ",") {
		if id = strings.TrimSpace(id); id != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return e.BadRequestError("Send ids: comma-separated test ids.", nil)
	}
	if len(ids) > maxActionIds {
		return e.BadRequestError(fmt.Sprintf("At most %d ids per request.", maxActionIds), nil)
	}
	recs, err := e.App.FindAllRecords(c.Tests, dbx.In("id", ids...))
	if err != nil {
		return domainError(e, fmt.Errorf("find tests: %w", err))
	}
	out := make(map[string]any, len(recs))
	for _, t := range recs {
		if !actor.CanSee(t) {
			continue
		}
		out[t.Id] = map[string]any{"actions": workflow.Allowed(actor, t), "revision": c.AsTest(t).Revision(), "state": c.AsTest(t).State()}
	}
	return e.JSON(http.StatusOK, map[string]any{"tests": out})
}

func handleRetest(e *core.RequestEvent) error {
	rec, err := workflow.Retest(e.App, workflow.ActorFromRequest(e), e.Request.PathValue("id"))
	if err != nil {
		return domainError(e, err)
	}
	return e.JSON(http.StatusOK, rec)
}

func handleTestsBulk(e *core.RequestEvent) error {
	var in workflow.BulkInput
	if err := e.BindBody(&in); err != nil {
		return e.BadRequestError("Invalid JSON body.", err)
	}
	recs, err := workflow.Bulk(e.App, workflow.ActorFromRequest(e), in)
	if err != nil {
		return domainError(e, err)
	}
	return e.JSON(http.StatusOK, map[string]any{"tests": recs})
}

func handleTestHistory(e *core.RequestEvent) error {
	limit, _ := strconv.Atoi(e.Request.URL.Query().Get("limit"))
	items, err := workflow.History(e.App, workflow.ActorFromRequest(e), e.Request.PathValue("id"), limit)
	if err != nil {
		return domainError(e, err)
	}
	return e.JSON(http.StatusOK, map[string]any{"items": items})
}

func handleEvidenceUpload(e *core.RequestEvent) error {
	actor := workflow.ActorFromRequest(e)
	test, team, err := evidence.Authorize(e.App, actor, e.Request.PathValue("id"), e.Request.URL.Query().Get("team"))
	if err != nil {
		return domainError(e, err)
	}
	policy := evidence.LoadPolicy(e.App)
	// Refuse early what cannot fit; the streaming copy enforces the limit
	// again for chunked bodies.
	if e.Request.ContentLength > policy.MaxBytes+(1<<20) {
		return evidence.TooLarge(policy.MaxBytes)
	}
	mr, err := e.Request.MultipartReader()
	if err != nil {
		return e.BadRequestError("Send multipart/form-data with a file part.", nil)
	}
	in, err := evidence.Receive(mr, evidence.SpoolDir(e.App), policy.MaxBytes)
	if err != nil {
		return domainError(e, err)
	}
	defer in.Close()
	if actor.Is(c.RoleAdmin) && in.Team != "" {
		if _, team, err = evidence.Authorize(e.App, actor, test.Id, in.Team); err != nil {
			return domainError(e, err)
		}
	}
	rec, err := evidence.Store(e.App, actor, test, team, in, policy)
	if err != nil {
		return domainError(e, err)
	}
	return e.JSON(http.StatusOK, rec)
}

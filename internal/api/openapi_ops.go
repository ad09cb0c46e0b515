package api

import "sync"

// Op documents one /api/aegis route for openapi.json. Every area file calls
// document(...) for each route it registers; a test fails when a registered
// route has no Op.
type Op struct {
	Method      string   // GET, POST, …
	Path        string   // as registered, e.g. /api/aegis/tests/{id}/transition
	Summary     string   // one line
	Description string   // optional, markdown
	Tags        []string // e.g. "tests", "coverage"
	Auth        string   // "public", "user", "admin", or a comma list of roles
	Request     any      // example request body (a Go value marshalled as the example), or nil
	Response    any      // example response body, or nil
	Query       []Param  // query parameters
	Multipart   bool     // request is multipart/form-data (file uploads)
	Produces    string   // response media type when not application/json (text/csv, text/html, …)
}

// Param is a query parameter.
type Param struct {
	Name, Description string
	Required          bool
}

var (
	opsMu sync.Mutex
	ops   = map[string]Op{}
)

// document records ops; registering the same method and path again replaces it.
func document(list ...Op) {
	opsMu.Lock()
	defer opsMu.Unlock()
	for _, o := range list {
		ops[o.Method+" "+o.Path] = o
	}
}

// Documented returns a copy of every documented route.
func Documented() []Op {
	opsMu.Lock()
	defer opsMu.Unlock()
	out := make([]Op, 0, len(ops))
	for _, o := range ops {
		out = append(out, o)
	}
	return out
}

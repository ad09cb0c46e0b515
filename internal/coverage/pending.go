package coverage

// Behind reports whether a change has been recorded that the model in use
// does not include yet: an answer built now may be from the previous model
// (a request waits at most StaleWait for a reload). The API says so in a
// response header, and the SPA asks again once the reload is through, so a
// view never stays behind a change it was told about.
func (e *Engine) Behind() bool {
	s := e.cur.Load()
	return s == nil || s.gen < e.gen.Load()
}

package coverage

import "errors"

// ErrNoActor is returned when a threat actor does not exist.
var ErrNoActor = errors.New("threat actor not found")

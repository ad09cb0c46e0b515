// Command vocabgen writes the UI's vocabulary module from the enums in
// collections (run by `go generate ./collections`). A test in collections
// fails when the checked-in module differs from what this writes.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/aegis-sec/aegis/collections"
)

func main() {
	out := flag.String("o", "", "file to write (default: standard output)")
	flag.Parse()
	ts := collections.TypeScript()
	if *out == "" {
		os.Stdout.Write(ts)
		return
	}
	if err := os.WriteFile(*out, ts, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "vocabgen:", err)
		os.Exit(1)
	}
}

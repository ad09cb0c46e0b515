// Command loadgen is the project's one load generator, for loopback servers
// only:
//
//	loadgen workload [flags]   the reliability workload (reads, transitions,
//	                           comments, evidence) with a check afterwards that
//	                           every acknowledged write is in the data dir
//	loadgen get [flags] URL    a bounded GET hammer on one URL, printed in
//	                           hey's format (used by tools/bench.sh when
//	                           neither hey nor wrk is installed)
//
// Both are built on the workload in tools/reliability, which the reliability
// tests also run.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	switch os.Args[1] {
	case "workload":
		workloadMain(os.Args[2:])
	case "get":
		getMain(os.Args[2:])
	default:
		usage()
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: loadgen workload [flags] | loadgen get [-n N] [-c C] [-H 'K: V'] URL")
	os.Exit(2)
}

// Command aegis is the purple-team coverage appliance: one binary holding the
// database, the API, the jobs and the web UI.
package main

import (
	"log"
	"os"

	"github.com/aegis-sec/aegis/internal/app"
	"github.com/aegis-sec/aegis/internal/cli"
	_ "github.com/aegis-sec/aegis/pb_migrations"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "healthcheck" {
		os.Exit(cli.Healthcheck(os.Args[2:], os.Stderr))
	}
	pb := app.New()
	cli.Register(pb)
	if err := pb.Start(); err != nil {
		log.Fatal(err)
	}
	os.Exit(cli.ExitCode())
}

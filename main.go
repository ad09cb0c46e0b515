// Command aegis is the purple-team coverage appliance: one binary holding the
// database, the API, the jobs and the web UI.
package main

import (
	"log"

	"github.com/aegis-sec/aegis/app"
	"github.com/aegis-sec/aegis/cli"
	_ "github.com/aegis-sec/aegis/pb_migrations"
)

func main() {
	pb := app.New()
	cli.Register(pb)
	if err := pb.Start(); err != nil {
		log.Fatal(err)
	}
}

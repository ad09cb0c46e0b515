package app

import (
	"fmt"
	"io"
	"net"
	"os"
	"strings"

	"github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/core"
)

// firstRunOutput is where `aegis serve` prints the first-run URL.
var firstRunOutput io.Writer = os.Stdout

// registerFirstRun replaces PocketBase's installer (a link that creates a
// dashboard superuser, which contradicts the appliance's own first-run page)
// with the Aegis first-run URL, printed while no Aegis user exists. The
// dashboard superuser stays available through `aegis superuser upsert`.
func registerFirstRun(pb core.App) {
	pb.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.InstallerFunc = nil
		if err := se.Next(); err != nil {
			return err
		}
		n, err := se.App.CountRecords(collections.Users)
		if err != nil || n > 0 {
			return nil
		}
		addr := ""
		if se.Server != nil {
			addr = se.Server.Addr
		}
		fmt.Fprint(firstRunOutput, FirstRunMessage(BaseURL(addr, servesHTTPS(os.Args))))
		return nil
	})
}

// servesHTTPS tells whether `serve` was started with --https (the server's
// TLS config is always set, so the flag is what says it).
func servesHTTPS(args []string) bool {
	for i, a := range args {
		if a == "--https" && i+1 < len(args) && args[i+1] != "" {
			return true
		}
		if strings.HasPrefix(a, "--https=") && len(a) > len("--https=") {
			return true
		}
	}
	return false
}

// BaseURL is the address the server answers on, as a browser would use it.
func BaseURL(addr string, https bool) string {
	scheme := "http"
	if https {
		scheme = "https"
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		host, port = addr, ""
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	if port != "" && !(scheme == "http" && port == "80") && !(scheme == "https" && port == "443") {
		host = net.JoinHostPort(host, port)
	}
	return scheme + "://" + host
}

// FirstRunMessage tells the operator where to create the first administrator.
func FirstRunMessage(base string) string {
	return fmt.Sprintf("\n(!) Aegis has no users yet. Open %s/setup in a browser to create the first administrator,\n"+
		"    or run: aegis user create EMAIL PASSWORD --role admin\n\n", base)
}

package main

// loadgen workload runs the reliability workload (matrix and list reads,
// test transitions, comments, evidence uploads) against a running Aegis
// server and then checks, in its data dir, that every acknowledged write is
// present. tools/load.sh sets up a server for it.

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"github.com/aegis-sec/aegis/collections"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/aegis-sec/aegis/tools/reliability"
	"github.com/pocketbase/pocketbase/core"
)

func workloadMain(args []string) {
	fs := flag.NewFlagSet("workload", flag.ExitOnError)
	url := fs.String("url", "http://127.0.0.1:8090", "server base URL")
	clients := fs.Int("clients", 100, "concurrent clients")
	duration := fs.Duration("duration", 60*time.Second, "how long to run")
	redLead := fs.String("red-lead", "", "email of a red_lead account")
	blueLead := fs.String("blue-lead", "", "email of a blue_lead account")
	password := fs.String("password", "", "password of both accounts")
	perClient := fs.Int("tests-per-client", 3, "tests each client walks through the workflow")
	dataDir := fs.String("verify-dir", "", "data dir of the server, to verify acknowledged writes afterwards")
	out := fs.String("json", "", "write the result as JSON to this file")
	_ = fs.Parse(args)
	if err := run(*url, *clients, *duration, *redLead, *blueLead, *password, *perClient, *dataDir, *out); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen workload:", err)
		os.Exit(1)
	}
}

func run(url string, clients int, d time.Duration, redEmail, blueEmail, password string, perClient int, dataDir, out string) error {
	red, redID, err := login(url, redEmail, password)
	if err != nil {
		return fmt.Errorf("sign in as red lead: %w", err)
	}
	blue, _, err := login(url, blueEmail, password)
	if err != nil {
		return fmt.Errorf("sign in as blue lead: %w", err)
	}
	setup, err := seedOverAPI(url, red, redID, clients, perClient)
	if err != nil {
		return fmt.Errorf("seed tests: %w", err)
	}
	fmt.Fprintf(os.Stderr, "running %d clients for %s against %s\n", clients, d, url)
	res := reliability.Run(context.Background(), reliability.Config{BaseURL: url, Clients: clients, Duration: d,
		RedLead: red, BlueLead: blue, Seed: time.Now().UnixNano()}, setup)
	fmt.Printf("%d requests in %s (%.0f req/s), %d errors, %d transitions, %d comments, %d evidence\n",
		res.Requests, res.Duration.Round(time.Millisecond), float64(res.Requests)/res.Duration.Seconds(), res.Errors,
		res.Transitions, len(res.Comments), len(res.Evidence))
	fmt.Printf("%-20s %8s %10s %10s %10s %7s\n", "endpoint", "count", "p50", "p99", "max", "errors")
	for name, s := range res.Endpoints {
		fmt.Printf("%-20s %8d %10s %10s %10s %7d\n", name, s.Count, s.P50.Round(time.Millisecond/10),
			s.P99.Round(time.Millisecond/10), s.Max.Round(time.Millisecond), s.Errors)
	}
	for _, e := range res.ErrorSamples {
		fmt.Println("error:", e)
	}
	lostCount := -1
	if dataDir != "" {
		app := core.NewBaseApp(core.BaseAppConfig{DataDir: dataDir})
		if err := app.Bootstrap(); err != nil {
			return fmt.Errorf("open %s: %w", dataDir, err)
		}
		lost := reliability.Lost(app, res)
		lostCount = len(lost)
		fmt.Printf("acknowledged writes missing afterwards: %d\n", len(lost))
		for i, l := range lost {
			if i == 10 {
				break
			}
			fmt.Println("lost:", l)
		}
	}
	if out != "" {
		b, _ := json.MarshalIndent(map[string]any{"result": res, "lost": lostCount, "clients": clients}, "", "  ")
		if err := os.WriteFile(out, b, 0o644); err != nil {
			return err
		}
	}
	if res.Errors > 0 || lostCount > 0 {
		return fmt.Errorf("%d errors, %d lost writes", res.Errors, lostCount)
	}
	return nil
}

func login(url, email, password string) (token, id string, err error) {
	body, _ := json.Marshal(map[string]string{"identity": email, "password": password})
	var out struct {
		Token  string
		Record struct{ Id string }
	}
	if err := call(url, http.MethodPost, "/api/collections/users/auth-with-password", "", body, &out); err != nil {
		return "", "", err
	}
	return out.Token, out.Record.Id, nil
}

func call(url, method, path, token string, body []byte, out any) error {
	req, err := http.NewRequest(method, url+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, raw)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

// seedOverAPI creates a campaign and the clients' tests as the red lead.
func seedOverAPI(url, token, redID string, clients, perClient int) (*reliability.Setup, error) {
	var techs struct {
		Items []struct{ Id string }
	}
	if err := call(url, http.MethodGet, "/api/collections/techniques/records?perPage=20&skipTotal=1&filter=is_subtechnique%3Dfalse", token, nil, &techs); err != nil {
		return nil, err
	}
	if len(techs.Items) == 0 {
		return nil, fmt.Errorf("no techniques: import ATT&CK first (aegis import attack FILE)")
	}
	body, _ := json.Marshal(map[string]any{"name": "Load run " + time.Now().Format(time.RFC3339), "status": collections.CampaignActive})
	var camp struct{ Id string }
	if err := call(url, http.MethodPost, "/api/collections/campaigns/records", token, body, &camp); err != nil {
		return nil, err
	}
	setup := &reliability.Setup{RedLeadID: redID, CampaignID: camp.Id}
	for c := 0; c < clients; c++ {
		var ids []string
		for k := 0; k < perClient; k++ {
			body, _ := json.Marshal(map[string]any{"name": fmt.Sprintf("Load test %d.%d", c, k),
				"technique": techs.Items[(c+k)%len(techs.Items)].Id, "campaign": camp.Id,
				"procedure": "Run the procedure and record what happened."})
			var test struct{ Id string }
			if err := call(url, http.MethodPost, "/api/collections/tests/records", token, body, &test); err != nil {
				return nil, err
			}
			ids = append(ids, test.Id)
		}
		setup.Tests = append(setup.Tests, ids)
	}
	return setup, nil
}

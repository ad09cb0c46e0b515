// Package atomiclog reads Invoke-AtomicRedTeam execution logs, the CSV of
// its default logger and the ATTiRe JSON of its Attire logger, and fills
// the red result and execution time of the Aegis tests that ran those
// atomic tests (matched by atomic test GUID through the test's template, or
// by technique and test name).
package atomiclog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aegis-sec/aegis/importers/internal/csvx"
)

// MaxLogSize bounds one log file.
const MaxLogSize = 64 << 20

var (
	techniqueRe = regexp.MustCompile(`(?i)^T\d{4}(\.\d{3})?$`)
	guidRe      = regexp.MustCompile(`(?i)^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
)

// Execution is one atomic test run from a log.
type Execution struct {
	Where      string // "line 3" or "procedures[2]" for messages
	Technique  string
	TestNumber int
	TestName   string
	GUID       string // lower case; empty when the log has none
	Start      time.Time
	Stop       time.Time
	Host, User string
	ExitCode   *int
}

// Problem names an entry of a log that could not be read.
type Problem struct {
	Where string
	Error string
}

// Parse reads a log, CSV or JSON (detected from the content), returning the
// executions and a problem per unusable entry.
func Parse(r io.Reader) ([]Execution, []Problem, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxLogSize+1))
	if err != nil {
		return nil, nil, err
	}
	if len(data) > MaxLogSize {
		return nil, nil, fmt.Errorf("log larger than %d bytes", MaxLogSize)
	}
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	if len(trimmed) == 0 {
		return nil, nil, errors.New("empty log")
	}
	if trimmed[0] == '{' || trimmed[0] == '[' {
		return parseJSON(trimmed)
	}
	return parseCSV(trimmed)
}

// parseCSV reads the default logger's CSV ("Execution Time (UTC)",
// "Technique", "Test Number", "Test Name", "Hostname", "Username", "GUID",
// and in newer versions "IP Address", "ProcessId", "ExitCode").
func parseCSV(data []byte) ([]Execution, []Problem, error) {
	t, err := csvx.Read(bytes.NewReader(data), csvx.Limits{MaxBytes: MaxLogSize})
	if err != nil {
		return nil, nil, err
	}
	if !t.Has("Technique") || !t.Has("GUID", "Test Name", "Test Number") {
		return nil, nil, errors.New("not an Invoke-AtomicRedTeam log: expected Technique and GUID or Test Name columns")
	}
	var out []Execution
	var bad []Problem
	for _, row := range t.Rows {
		get := func(names ...string) string { return row.Get(names...) }
		e := Execution{Where: fmt.Sprintf("line %d", row.Line), Technique: get("Technique"),
			TestName: get("Test Name"), GUID: get("GUID"), Host: get("Hostname"), User: get("Username")}
		if n := get("Test Number"); n != "" {
			e.TestNumber, _ = strconv.Atoi(n)
		}
		if c := get("ExitCode", "Exit Code"); c != "" {
			if v, err := strconv.Atoi(c); err == nil {
				e.ExitCode = &v
			}
		}
		start, err := csvx.ParseTime(get("Execution Time (UTC)", "Execution Time", "Start Time"))
		if err != nil {
			bad = append(bad, Problem{Where: e.Where, Error: err.Error()})
			continue
		}
		e.Start = start
		if err := e.normalise(); err != nil {
			bad = append(bad, Problem{Where: e.Where, Error: err.Error()})
			continue
		}
		out = append(out, e)
	}
	return out, bad, nil
}

type attireLog struct {
	Version       string `json:"attire-version"`
	ExecutionData struct {
		Target struct {
			User string `json:"user"`
			Host string `json:"host"`
		} `json:"target"`
	} `json:"execution-data"`
	Procedures []struct {
		Technique   string `json:"mitre-technique-id"`
		Name        string `json:"procedure-name"`
		ProcedureID struct {
			Type string `json:"type"`
			ID   string `json:"id"`
		} `json:"procedure-id"`
		Order json.Number `json:"order"`
		Steps []struct {
			TimeStart string `json:"time-start"`
			TimeStop  string `json:"time-stop"`
			ExitCode  *int   `json:"exit-code"`
		} `json:"steps"`
	} `json:"procedures"`
}

// parseJSON reads an ATTiRe log (Attire-ExecutionLogger), or a JSON list of
// default-logger records (ConvertTo-Json of the CSV rows).
func parseJSON(data []byte) ([]Execution, []Problem, error) {
	if data[0] == '[' {
		var recs []map[string]any
		if err := json.Unmarshal(data, &recs); err != nil {
			return nil, nil, fmt.Errorf("log JSON: %w", err)
		}
		var buf bytes.Buffer
		cols := []string{"Execution Time (UTC)", "Technique", "Test Number", "Test Name", "Hostname", "Username", "GUID", "ExitCode"}
		buf.WriteString(strings.Join(quoteAll(cols), ",") + "\n")
		for _, r := range recs {
			vals := make([]string, len(cols))
			for i, c := range cols {
				if v, ok := r[c]; ok && v != nil {
					vals[i] = fmt.Sprint(v)
				}
			}
			buf.WriteString(strings.Join(quoteAll(vals), ",") + "\n")
		}
		return parseCSV(buf.Bytes())
	}
	var log attireLog
	if err := json.Unmarshal(data, &log); err != nil {
		return nil, nil, fmt.Errorf("ATTiRe JSON: %w", err)
	}
	if log.Version == "" && len(log.Procedures) == 0 {
		return nil, nil, errors.New("not an ATTiRe log: no attire-version or procedures")
	}
	var out []Execution
	var bad []Problem
	for i, p := range log.Procedures {
		e := Execution{Where: fmt.Sprintf("procedures[%d]", i), Technique: p.Technique, TestName: p.Name,
			Host: log.ExecutionData.Target.Host, User: log.ExecutionData.Target.User}
		if strings.EqualFold(p.ProcedureID.Type, "guid") || guidRe.MatchString(p.ProcedureID.ID) {
			e.GUID = p.ProcedureID.ID
		}
		if n, err := p.Order.Int64(); err == nil {
			e.TestNumber = int(n)
		}
		var err error
		if len(p.Steps) > 0 {
			first, last := p.Steps[0], p.Steps[len(p.Steps)-1]
			if e.Start, err = csvx.ParseTime(first.TimeStart); err == nil {
				e.Stop, err = csvx.ParseTime(last.TimeStop)
			}
			e.ExitCode = last.ExitCode
		}
		if err == nil {
			err = e.normalise()
		}
		if err != nil {
			bad = append(bad, Problem{Where: e.Where, Error: err.Error()})
			continue
		}
		out = append(out, e)
	}
	return out, bad, nil
}

func (e *Execution) normalise() error {
	e.Technique = strings.ToUpper(strings.TrimSpace(e.Technique))
	e.GUID = strings.ToLower(strings.TrimSpace(e.GUID))
	e.TestName = strings.TrimSpace(e.TestName)
	switch {
	case !techniqueRe.MatchString(e.Technique):
		return fmt.Errorf("technique %q is not an ATT&CK technique id", e.Technique)
	case e.GUID != "" && !guidRe.MatchString(e.GUID):
		return fmt.Errorf("GUID %q is not a GUID", e.GUID)
	case e.GUID == "" && e.TestName == "":
		return errors.New("neither a test GUID nor a test name")
	case e.Start.IsZero():
		return errors.New("no execution time")
	}
	return nil
}

func quoteAll(vals []string) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = `"` + strings.ReplaceAll(v, `"`, `""`) + `"`
	}
	return out
}

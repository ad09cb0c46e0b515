package backup

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/aegis-sec/aegis/collections"
	"github.com/pocketbase/pocketbase/tools/archive"
	_ "modernc.org/sqlite" // registers the "sqlite" driver for opening extracted databases
)

// Report describes a verified backup.
type Report struct {
	Integrity      string         `json:"integrity"`       // "ok" or SQLite's first complaint
	Counts         map[string]int `json:"counts"`          // rows per Aegis collection
	EvidenceFiles  int            `json:"evidence_files"`  // local evidence files checked
	EvidenceRemote int            `json:"evidence_remote"` // evidence rows whose files are not in the archive (S3)
	Problems       []string       `json:"problems"`
}

// Verify extracts the zip into a temporary folder and checks it without
// touching any data dir.
func Verify(ctx context.Context, zipPath string) (*Report, error) {
	dir, err := os.MkdirTemp("", "aegis_verify_")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	return verifyInto(ctx, zipPath, dir)
}

func verifyInto(ctx context.Context, zipPath, dir string) (*Report, error) {
	if err := archive.Extract(zipPath, dir); err != nil {
		return nil, fmt.Errorf("verify backup %s: not a readable zip: %w", filepath.Base(zipPath), err)
	}
	dbPath := filepath.Join(dir, "data.db")
	if _, err := os.Stat(dbPath); err != nil {
		return nil, fmt.Errorf("verify backup %s: data.db is missing: this is not an Aegis backup", filepath.Base(zipPath))
	}
	db, err := sql.Open("sqlite", "file:"+dbPath+"?mode=ro")
	if err != nil {
		return nil, fmt.Errorf("verify backup: open data.db: %w", err)
	}
	defer db.Close()

	rep := &Report{Counts: map[string]int{}}
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&rep.Integrity); err != nil {
		return rep, fmt.Errorf("verify backup: integrity check: %w", err)
	}
	if rep.Integrity != "ok" {
		return rep, fmt.Errorf("verify backup: database is corrupt: %s", rep.Integrity)
	}
	for _, name := range collections.All {
		var n int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+quoteIdent(name)).Scan(&n); err != nil {
			return rep, fmt.Errorf("verify backup: table %s: %w (is this an Aegis backup?)", name, err)
		}
		rep.Counts[name] = n
	}
	if err := checkEvidence(ctx, db, dir, rep); err != nil {
		return rep, err
	}
	sort.Strings(rep.Problems)
	if len(rep.Problems) > 0 {
		return rep, fmt.Errorf("verify backup: %d evidence problems, first: %s", len(rep.Problems), rep.Problems[0])
	}
	return rep, nil
}

// checkEvidence recomputes the sha256 of every evidence file in the archive.
func checkEvidence(ctx context.Context, db *sql.DB, dir string, rep *Report) error {
	var colID string
	if err := db.QueryRowContext(ctx, "SELECT id FROM _collections WHERE name = ?", collections.Evidence).Scan(&colID); err != nil {
		return fmt.Errorf("verify backup: evidence collection: %w", err)
	}
	rows, err := db.QueryContext(ctx, "SELECT id, file, sha256 FROM "+quoteIdent(collections.Evidence))
	if err != nil {
		return fmt.Errorf("verify backup: evidence rows: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, file, want string
		if err := rows.Scan(&id, &file, &want); err != nil {
			return err
		}
		p := filepath.Join(dir, "storage", colID, id, file)
		f, err := os.Open(p)
		if err != nil {
			rep.EvidenceRemote++
			continue
		}
		h := sha256.New()
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			rep.Problems = append(rep.Problems, fmt.Sprintf("evidence %s: read %s: %v", id, file, err))
			continue
		}
		rep.EvidenceFiles++
		if got := hex.EncodeToString(h.Sum(nil)); want != "" && got != want {
			rep.Problems = append(rep.Problems, fmt.Sprintf("evidence %s: %s sha256 %s, recorded %s", id, file, got, want))
		}
	}
	return rows.Err()
}

func quoteIdent(s string) string { return `"` + s + `"` }

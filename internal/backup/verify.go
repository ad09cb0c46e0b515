package backup

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"syscall"

	"github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/importers/source"
	"github.com/pocketbase/pocketbase/core"
	_ "modernc.org/sqlite" // registers the "sqlite" driver for opening extracted databases
)

// Limits bound what a backup archive may expand to, with the importers'
// bomb limits (importers/source): entry count, size per entry, total size,
// compression ratio per zip member and the archive's own size. Evidence
// files may be up to 1 GiB each (settings.evidence), so entries and totals
// are larger than for content imports; the total is further capped by the
// free space of the disk the archive is extracted to.
var Limits = source.Limits{
	MaxEntries:   500_000,
	MaxEntrySize: 32 << 30,
	MaxTotalSize: 64 << 30,
	MaxDepth:     1,
	MaxDownload:  64 << 30,
	MaxRatio:     500,
}

// extract unpacks the backup zip at zipPath into dir through the importers'
// bounded archive walker: members are written as stored (an evidence file
// that is itself a zip stays a zip), ".." paths and duplicate names are
// refused, links skipped, and the limits stop a bomb before it fills the
// disk.
func extract(ctx context.Context, zipPath, dir string, lim source.Limits) error {
	if st, err := os.Stat(zipPath); err != nil {
		return err
	} else if st.Size() > lim.MaxDownload {
		return fmt.Errorf("archive is %d bytes, more than the %d allowed: %w", st.Size(), lim.MaxDownload, source.ErrLimit)
	}
	if free, ok := freeBytes(dir); ok && free < lim.MaxTotalSize {
		lim.MaxTotalSize = free
	}
	src, err := source.Open(zipPath, source.Options{Limits: lim, Raw: true})
	if err != nil {
		return err
	}
	head := make([]byte, 4)
	f, err := os.Open(zipPath)
	if err != nil {
		return err
	}
	_, _ = io.ReadFull(f, head)
	f.Close()
	if string(head) != "PK\x03\x04" && string(head) != "PK\x05\x06" {
		return fmt.Errorf("not a zip archive")
	}
	return src.Walk(ctx, func(e source.Entry) error {
		target := filepath.Join(dir, filepath.FromSlash(e.Path))
		if rel, err := filepath.Rel(dir, target); err != nil || rel == ".." || len(rel) > 2 && rel[:3] == "../" {
			return fmt.Errorf("%s: %w", e.Path, source.ErrUnsafePath)
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		out, err := os.OpenFile(target, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err != nil {
			return fmt.Errorf("%s: %w", e.Path, err)
		}
		_, err = io.Copy(out, e.Body)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		return err
	})
}

// knownMigrations is every migration file this binary can apply.
func knownMigrations() map[string]bool {
	out := map[string]bool{}
	for _, l := range []core.MigrationsList{core.SystemMigrations, core.AppMigrations} {
		for _, m := range l.Items() {
			out[m.File] = true
		}
	}
	return out
}

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
	if err := extract(ctx, zipPath, dir, Limits); err != nil {
		if errors.Is(err, source.ErrLimit) || errors.Is(err, source.ErrUnsafePath) {
			return nil, fmt.Errorf("verify backup %s: archive refused: %w", filepath.Base(zipPath), err)
		}
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
	if err := checkMigrations(ctx, db); err != nil {
		return rep, err
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

// checkMigrations refuses a database carrying a migration this binary does
// not know (written by a newer Aegis): its schema could not be trusted.
func checkMigrations(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, "SELECT file FROM _migrations")
	if err != nil {
		return fmt.Errorf("verify backup: migrations: %w (is this an Aegis backup?)", err)
	}
	defer rows.Close()
	known := knownMigrations()
	applied := 0
	for rows.Next() {
		var file string
		if err := rows.Scan(&file); err != nil {
			return fmt.Errorf("verify backup: migrations: %w", err)
		}
		applied++
		if !known[file] {
			return fmt.Errorf("verify backup: migration %s is unknown to this binary (the backup was written by a newer Aegis; upgrade first)", file)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("verify backup: migrations: %w", err)
	}
	if applied == 0 {
		return fmt.Errorf("verify backup: no migrations recorded: this is not an Aegis backup")
	}
	return nil
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

// freeBytes is the space available to an unprivileged writer under dir.
func freeBytes(dir string) (int64, bool) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, false
	}
	return int64(st.Bavail) * int64(st.Bsize), true
}

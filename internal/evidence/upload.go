package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"unicode/utf8"

	c "github.com/aegis-sec/aegis/collections"
	"github.com/aegis-sec/aegis/internal/audit"
	"github.com/aegis-sec/aegis/internal/workflow"
	"github.com/gabriel-vasile/mimetype"
	validation "github.com/go-ozzo/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"
	"github.com/pocketbase/pocketbase/tools/router"
)

// sniffBytes is how much of the start of a file the MIME sniffer reads.
const sniffBytes = 3072

// maxNote bounds the note part of an upload.
const maxNote = 64 << 10

// Incoming is an upload spooled to disk, with what was computed while it
// streamed. Close removes the spool file.
type Incoming struct {
	Path     string
	Filename string
	Size     int64
	SHA256   string
	Mime     string
	Note     string
	Team     string
}

// Close removes the spool file.
func (in *Incoming) Close() error {
	if in == nil || in.Path == "" {
		return nil
	}
	err := os.Remove(in.Path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// OutOfSpace is the answer when the data dir's disk fills up mid-upload.
func OutOfSpace() error {
	return router.NewApiError(http.StatusInsufficientStorage,
		"The server is out of disk space: free space on the data dir's disk or store evidence on S3, then upload again.", nil)
}

func badRequest(field, msg string) error {
	return router.NewApiError(http.StatusBadRequest, msg,
		map[string]error{field: validation.NewError("validation_invalid_value", msg)})
}

// TooLarge is the 413 of an upload over the policy's size limit.
func TooLarge(limit int64) error {
	return router.NewApiError(http.StatusRequestEntityTooLarge,
		fmt.Sprintf("The file exceeds the evidence size limit of %d bytes.", limit), nil)
}

// Authorize checks actor may attach evidence to test testId and returns the
// test and the team the evidence belongs to: red roles give red, blue roles
// blue, admins choose (red by default). Viewers are refused (403); blue
// roles cannot see an unrevealed test (404); a red operator must be its
// assignee (403).
func Authorize(app core.App, actor workflow.Actor, testId, team string) (*core.Record, string, error) {
	test, err := app.FindRecordById(c.Tests, testId)
	if err != nil || !actor.CanSee(test) {
		return nil, "", router.NewNotFoundError("Test not found.", nil)
	}
	switch {
	case actor.Red():
		if actor.Is(c.RoleRedOperator) && c.AsTest(test).RedAssignee() != actor.Id {
			return nil, "", router.NewForbiddenError("Only the assigned red operator or a red lead may add red evidence.", nil)
		}
		return test, "red", nil
	case actor.Blue():
		return test, "blue", nil
	case actor.Is(c.RoleAdmin):
		if team == "" {
			team = "red"
		}
		if team != "red" && team != "blue" {
			return nil, "", badRequest("team", "team must be red or blue.")
		}
		return test, team, nil
	}
	return nil, "", router.NewForbiddenError("Your role may not add evidence.", nil)
}

// Receive reads a multipart upload part by part without buffering it: the
// "file" part streams to a spool file in dir (hashing and sniffing on the
// way, stopping at limit bytes with a 413), "note" and "team" are small
// text parts. The caller must Close the result.
func Receive(mr *multipart.Reader, dir string, limit int64) (*Incoming, error) {
	in := &Incoming{}
	ok := false
	defer func() {
		if !ok {
			in.Close()
		}
	}()
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, badRequest("file", "Malformed multipart body: "+err.Error())
		}
		switch part.FormName() {
		case "file":
			if in.Path != "" {
				part.Close()
				return nil, badRequest("file", "Send one file per upload.")
			}
			if err := spool(in, part, dir, limit); err != nil {
				part.Close()
				return nil, err
			}
		case "note", "team":
			b, err := io.ReadAll(io.LimitReader(part, maxNote+1))
			if err != nil {
				return nil, badRequest(part.FormName(), "Could not read "+part.FormName()+".")
			}
			if len(b) > maxNote || !utf8.Valid(b) {
				return nil, badRequest(part.FormName(), part.FormName()+" must be UTF-8 text of at most 64 KiB.")
			}
			if part.FormName() == "note" {
				in.Note = strings.TrimSpace(string(b))
			} else {
				in.Team = strings.TrimSpace(string(b))
			}
		default:
			// Unknown parts are drained, not stored.
			if _, err := io.Copy(io.Discard, io.LimitReader(part, maxNote)); err != nil {
				return nil, badRequest("file", "Malformed multipart body.")
			}
		}
		part.Close()
	}
	if in.Path == "" {
		return nil, router.NewApiError(http.StatusBadRequest, "file is required.",
			map[string]error{"file": validation.NewError("validation_required", "Cannot be blank.")})
	}
	ok = true
	return in, nil
}

// headWriter keeps the first sniffBytes written to it.
type headWriter struct{ buf []byte }

func (h *headWriter) Write(p []byte) (int, error) {
	if room := sniffBytes - len(h.buf); room > 0 {
		if len(p) < room {
			room = len(p)
		}
		h.buf = append(h.buf, p[:room]...)
	}
	return len(p), nil
}

func spool(in *Incoming, part *multipart.Part, dir string, limit int64) error {
	name := filepath.Base(strings.ReplaceAll(part.FileName(), "\\", "/"))
	if name == "" || name == "." || name == "/" {
		return badRequest("file", "The file part needs a file name.")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("evidence spool dir: %w", err)
	}
	f, err := os.CreateTemp(dir, "upload-*")
	if err != nil {
		return fmt.Errorf("evidence spool: %w", err)
	}
	in.Path = f.Name()
	h := sha256.New()
	head := &headWriter{buf: make([]byte, 0, sniffBytes)}
	n, err := io.CopyBuffer(io.MultiWriter(f, h, head), io.LimitReader(part, limit+1), make([]byte, 256<<10))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, syscall.ENOSPC) {
		return OutOfSpace()
	}
	if err != nil {
		return badRequest("file", "The upload was interrupted.")
	}
	if n > limit {
		return TooLarge(limit)
	}
	if n == 0 {
		return badRequest("file", "The file is empty.")
	}
	in.Filename = name
	in.Size = n
	in.SHA256 = hex.EncodeToString(h.Sum(nil))
	in.Mime = baseMime(mimetype.Detect(head.buf).String())
	return nil
}

// Store saves the spooled upload as evidence of test for team: the file
// and its metadata in one record, so neither exists without the other. A
// type outside the allow list is refused with 415.
func Store(app core.App, actor workflow.Actor, test *core.Record, team string, in *Incoming, p c.EvidencePolicy) (*core.Record, error) {
	if !Allowed(p, in.Mime) {
		return nil, router.NewApiError(http.StatusUnsupportedMediaType,
			fmt.Sprintf("Evidence of type %s is not allowed; see the evidence settings.", in.Mime), nil)
	}
	col, err := app.FindCachedCollectionByNameOrId(c.Evidence)
	if err != nil {
		return nil, err
	}
	file, err := filesystem.NewFileFromPath(in.Path)
	if err != nil {
		return nil, fmt.Errorf("evidence spool: %w", err)
	}
	file.OriginalName = in.Filename
	named, _ := filesystem.NewFileFromBytes([]byte{0}, in.Filename) // normalised name with a random suffix
	file.Name = named.Name
	r := core.NewRecord(col)
	r.Id = core.GenerateDefaultRandomId()
	ev := c.AsEvidenceFile(r)
	ev.SetTest(test.Id)
	ev.SetTeam(team)
	ev.SetFilename(in.Filename)
	ev.SetMime(in.Mime)
	ev.SetSize(int(in.Size))
	r.Set("sha256", in.SHA256)
	ev.SetNote(in.Note)
	if !actor.Superuser() {
		ev.SetUploadedBy(actor.Id)
	}
	ev.SetFile(file) // validated as an upload (name, size), stored below
	audit.SetRecordActor(r, actor)
	if err := app.ValidateWithContext(context.Background(), r); err != nil {
		return nil, fmt.Errorf("evidence %s: %w", in.Filename, err)
	}
	// The bytes go to storage (disk or S3) before the record is inserted and
	// outside any transaction: a slow upload must not hold the single write
	// connection. If the insert fails the stored file is removed, so there
	// is never metadata without a file nor a file without metadata.
	fsys, err := app.NewFilesystem()
	if err != nil {
		return nil, fmt.Errorf("evidence storage: %w", err)
	}
	defer fsys.Close()
	key := r.BaseFilesPath() + "/" + file.Name
	if err := fsys.UploadFile(file, key); err != nil {
		_ = fsys.Delete(key) // a partial object on a full disk
		if errors.Is(err, syscall.ENOSPC) || strings.Contains(err.Error(), "no space left") {
			return nil, OutOfSpace()
		}
		return nil, fmt.Errorf("store evidence %s: %w", in.Filename, err)
	}
	ev.SetFile(file.Name)
	if err := app.SaveNoValidate(r); err != nil {
		if derr := fsys.Delete(key); derr != nil {
			app.Logger().Error("evidence file left without metadata", "key", key, "error", derr)
		}
		return nil, fmt.Errorf("save evidence %s: %w", in.Filename, err)
	}
	return r, nil
}

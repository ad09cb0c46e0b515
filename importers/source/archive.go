package source

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// ErrLimit is wrapped by every error caused by a Limits bound, so callers
// can tell "this source is too big" from "this source is broken".
var ErrLimit = errors.New("source limit exceeded")

// ErrUnsafePath is wrapped when an archive member tries to escape the
// archive ("../x"); such archives are rejected rather than guessed at.
var ErrUnsafePath = errors.New("unsafe path in archive")

// format is what the first bytes of a stream say it is.
type format int

const (
	formatPlain format = iota
	formatGzip
	formatZstd
	formatZip
	formatTar
)

func (f format) String() string {
	return [...]string{"plain", "gzip", "zstd", "zip", "tar"}[f]
}

// sniff looks at magic bytes only; extensions lie (a .json that is really
// gzip is common when a web server double-encodes).
func sniff(head []byte) format {
	switch {
	case len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b:
		return formatGzip
	case len(head) >= 4 && bytes.Equal(head[:4], []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return formatZstd
	case len(head) >= 4 && (bytes.Equal(head[:4], []byte("PK\x03\x04")) || bytes.Equal(head[:4], []byte("PK\x05\x06"))):
		return formatZip
	case len(head) >= 262 && bytes.Equal(head[257:262], []byte("ustar")):
		return formatTar
	}
	return formatPlain
}

// Office documents and Java archives are zips that importers want whole.
var keepWhole = map[string]bool{".xlsx": true, ".docx": true, ".pptx": true, ".ods": true, ".odt": true, ".jar": true, ".apk": true}

// walker expands one source into entries while enforcing the limits. It is
// shared by every kind of source so the bounds apply the same way to a
// local tarball, a download and a GitHub archive.
type walker struct {
	ctx     context.Context
	lim     Limits
	include func(string) bool
	raw     bool
	fn      WalkFunc
	// rename maps a top-level archive member path; false drops the member
	// (GitHub: strip the "owner-repo-sha/" folder, filter a subdir).
	rename func(string) (string, bool)

	entries int
	total   int64
}

func newWalker(ctx context.Context, opts Options, fn WalkFunc) *walker {
	return &walker{ctx: ctx, lim: opts.Limits.withDefaults(), include: opts.Include, raw: opts.Raw, fn: fn}
}

// maxCompressionLayers stops gzip-in-gzip-in-gzip games; a real source has
// at most one layer (tar.gz) and a member may add one more.
const maxCompressionLayers = 3

// stream delivers one named byte stream: decompresses it, expands it when it
// is an archive, else hands it to fn. prefix is joined to archive member
// paths ("" for the source itself, so its members keep their own paths).
// ra/size allow zip without spooling when the stream is a local file.
func (w *walker) stream(r io.Reader, name string, size int64, ra io.ReaderAt, depth, layers int, prefix string) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(512)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return fmt.Errorf("read %s: %w", displayName(name), err)
	}
	kind := sniff(head)
	if kind == formatZip && keepWhole[strings.ToLower(path.Ext(name))] {
		kind = formatPlain
	}
	if w.raw && depth > 0 {
		kind = formatPlain
	}
	switch kind {
	case formatGzip, formatZstd:
		if layers >= maxCompressionLayers {
			return fmt.Errorf("%s: more than %d nested compression layers: %w", displayName(name), maxCompressionLayers, ErrLimit)
		}
		var dr io.Reader
		if kind == formatGzip {
			gz, err := gzip.NewReader(br)
			if err != nil {
				return fmt.Errorf("open gzip %s: %w", displayName(name), err)
			}
			defer gz.Close()
			dr = gz
		} else {
			zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(uint64(w.lim.MaxEntrySize)))
			if err != nil {
				return fmt.Errorf("open zstd %s: %w", displayName(name), err)
			}
			defer zr.Close()
			dr = zr
		}
		return w.stream(dr, stripCompressionExt(name), -1, nil, depth, layers+1, prefix)
	case formatZip, formatTar:
		if depth >= w.lim.MaxDepth {
			return fmt.Errorf("%s: archive nested deeper than %d levels: %w", displayName(name), w.lim.MaxDepth, ErrLimit)
		}
		if kind == formatTar {
			return w.tar(br, name, depth, prefix)
		}
		if ra == nil || size < 0 || layers > 0 {
			limit := w.lim.MaxEntrySize
			if depth == 0 {
				limit = w.lim.MaxDownload
			}
			sp, err := spool(br, limit)
			if err != nil {
				return fmt.Errorf("read zip %s: %w", displayName(name), err)
			}
			defer sp.Close()
			ra, size = sp, sp.size
		}
		return w.zip(ra, size, name, depth, prefix)
	}
	return w.leaf(br, name, size)
}

func (w *walker) memberPath(prefix, member string, depth int) (string, bool, error) {
	p, err := cleanPath(member)
	if err != nil || p == "" {
		return "", false, err
	}
	if depth == 0 && w.rename != nil {
		var ok bool
		if p, ok = w.rename(p); !ok {
			return "", false, nil
		}
	}
	if prefix != "" {
		p = prefix + "/" + p
	}
	return p, true, nil
}

func (w *walker) countEntry(name string) error {
	w.entries++
	if w.entries > w.lim.MaxEntries {
		return fmt.Errorf("%s: more than %d files: %w", displayName(name), w.lim.MaxEntries, ErrLimit)
	}
	return nil
}

func (w *walker) tar(r io.Reader, name string, depth int, prefix string) error {
	tr := tar.NewReader(r)
	for {
		if err := w.ctx.Err(); err != nil {
			return err
		}
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read tar %s: %w", displayName(name), err)
		}
		// '\x00' is the pre-POSIX regular-file flag (tar.TypeRegA, deprecated).
		if h.Typeflag != tar.TypeReg && h.Typeflag != '\x00' {
			continue // directories, links and devices carry no content
		}
		p, ok, err := w.memberPath(prefix, h.Name, depth)
		if err != nil {
			return fmt.Errorf("tar %s: %w", displayName(name), err)
		}
		if !ok {
			continue
		}
		if err := w.countEntry(name); err != nil {
			return err
		}
		if h.Size > w.lim.MaxEntrySize {
			return fmt.Errorf("%s: %d bytes, more than the %d allowed per file: %w", p, h.Size, w.lim.MaxEntrySize, ErrLimit)
		}
		if err := w.stream(tr, p, h.Size, nil, depth+1, 0, p); err != nil {
			return err
		}
	}
}

func (w *walker) zip(ra io.ReaderAt, size int64, name string, depth int, prefix string) error {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return fmt.Errorf("read zip %s: %w", displayName(name), err)
	}
	for _, f := range zr.File {
		if err := w.ctx.Err(); err != nil {
			return err
		}
		if f.FileInfo().IsDir() || !f.Mode().IsRegular() {
			continue
		}
		p, ok, err := w.memberPath(prefix, f.Name, depth)
		if err != nil {
			return fmt.Errorf("zip %s: %w", displayName(name), err)
		}
		if !ok {
			continue
		}
		if err := w.countEntry(name); err != nil {
			return err
		}
		if f.UncompressedSize64 > uint64(w.lim.MaxEntrySize) {
			return fmt.Errorf("%s: %d bytes, more than the %d allowed per file: %w", p, f.UncompressedSize64, w.lim.MaxEntrySize, ErrLimit)
		}
		if r := w.lim.MaxRatio; r > 0 && f.UncompressedSize64 >= RatioFloor && f.UncompressedSize64 > uint64(r)*f.CompressedSize64 {
			return fmt.Errorf("%s: %d bytes compressed into %d, more than the %d:1 ratio allowed: %w", p, f.UncompressedSize64, f.CompressedSize64, r, ErrLimit)
		}
		rc, err := f.Open()
		if err != nil {
			return fmt.Errorf("open %s: %w", p, err)
		}
		err = w.stream(rc, p, int64(f.UncompressedSize64), nil, depth+1, 0, p)
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

func (w *walker) leaf(r io.Reader, name string, size int64) error {
	if w.include != nil && !w.include(name) {
		return nil
	}
	if size >= 0 && size > w.lim.MaxEntrySize {
		return fmt.Errorf("%s: %d bytes, more than the %d allowed per file: %w", name, size, w.lim.MaxEntrySize, ErrLimit)
	}
	body := &limitedBody{r: r, name: name, w: w, left: w.lim.MaxEntrySize}
	if err := w.fn(Entry{Path: name, Size: size, Body: body}); err != nil {
		return err
	}
	return nil
}

// limitedBody counts the bytes a consumer reads against the per-file and
// total limits. Decompressed bytes are what count, so a 10 KB gzip that
// inflates to 10 GB stops at the entry limit.
type limitedBody struct {
	r    io.Reader
	name string
	w    *walker
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One byte more than allowed tells "exactly at the limit" from "over".
		var one [1]byte
		n, _ := b.r.Read(one[:])
		if n == 0 {
			return 0, io.EOF
		}
		return 0, fmt.Errorf("%s: more than the %d bytes allowed per file: %w", b.name, b.w.lim.MaxEntrySize, ErrLimit)
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	b.w.total += int64(n)
	if b.w.total > b.w.lim.MaxTotalSize {
		return n, fmt.Errorf("%s: source is larger than the %d bytes allowed in total: %w", b.name, b.w.lim.MaxTotalSize, ErrLimit)
	}
	return n, err
}

// cleanPath turns an archive member name into a slash path relative to the
// archive. Absolute names are made relative; any ".." is rejected since no
// honest archive needs one.
func cleanPath(name string) (string, error) {
	if strings.ContainsRune(name, 0) {
		return "", fmt.Errorf("%q: %w", name, ErrUnsafePath)
	}
	name = strings.ReplaceAll(name, "\\", "/")
	parts := strings.Split(name, "/")
	out := parts[:0]
	for _, p := range parts {
		switch p {
		case "", ".":
			continue
		case "..":
			return "", fmt.Errorf("%q: %w", name, ErrUnsafePath)
		}
		out = append(out, p)
	}
	// Windows drive letters ("C:/x") are made relative too.
	if len(out) > 0 && len(out[0]) == 2 && out[0][1] == ':' {
		out = out[1:]
	}
	return strings.Join(out, "/"), nil
}

func stripCompressionExt(name string) string {
	lower := strings.ToLower(name)
	switch {
	case strings.HasSuffix(lower, ".tgz"):
		return name[:len(name)-4] + ".tar"
	case strings.HasSuffix(lower, ".gz"):
		return name[:len(name)-3]
	case strings.HasSuffix(lower, ".zst"):
		return name[:len(name)-4]
	case strings.HasSuffix(lower, ".tzst"):
		return name[:len(name)-5] + ".tar"
	}
	return name
}

func displayName(name string) string {
	if name == "" {
		return "source"
	}
	return name
}

// spooled is a stream made seekable for zip: in memory while small, in an
// already-unlinked temp file beyond that, never larger than the limit.
type spooled struct {
	mem  *bytes.Reader
	file *os.File
	size int64
}

const spoolInMemory = 32 << 20

func spool(r io.Reader, limit int64) (*spooled, error) {
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(r, spoolInMemory))
	if err != nil {
		return nil, err
	}
	if n < spoolInMemory {
		return &spooled{mem: bytes.NewReader(buf.Bytes()), size: n}, nil
	}
	f, err := os.CreateTemp("", "aegis-spool-*")
	if err != nil {
		return nil, err
	}
	os.Remove(f.Name()) // gone from disk once closed, even if we crash
	if _, err := f.Write(buf.Bytes()); err != nil {
		f.Close()
		return nil, err
	}
	m, err := io.Copy(f, io.LimitReader(r, limit-n+1))
	if err != nil {
		f.Close()
		return nil, err
	}
	if n+m > limit {
		f.Close()
		return nil, fmt.Errorf("zip is larger than %d bytes: %w", limit, ErrLimit)
	}
	return &spooled{file: f, size: n + m}, nil
}

func (s *spooled) ReadAt(p []byte, off int64) (int, error) {
	if s.mem != nil {
		return s.mem.ReadAt(p, off)
	}
	return s.file.ReadAt(p, off)
}

func (s *spooled) Close() error {
	if s.file != nil {
		return s.file.Close()
	}
	return nil
}

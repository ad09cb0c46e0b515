package source

import (
	"net/http"
	"time"
)

// Limits bound what a source may deliver. They stop archive bombs, endless
// downloads and pathological nesting with a clear error instead of filling
// memory or disk. Zero fields take the defaults below.
type Limits struct {
	MaxEntries   int   // files delivered plus archive members visited
	MaxEntrySize int64 // bytes of one (decompressed) file
	MaxTotalSize int64 // bytes of all (decompressed) files together
	MaxDepth     int   // archive nesting: 1 = an archive, 2 = an archive inside an archive
	MaxDownload  int64 // bytes fetched over HTTP (compressed, as transferred)
	// MaxRatio, when set, refuses a zip member that declares more than
	// MaxRatio times its compressed size (members under RatioFloor bytes are
	// exempt: a small file of zeros is no bomb). Zero: no ratio check.
	MaxRatio int64
}

// RatioFloor is the uncompressed size under which MaxRatio is not checked.
const RatioFloor = 1 << 20

// Default limits: large enough for every public content set we know of
// (the Enterprise ATT&CK bundle is 45 MB, D3FEND's API dump 120 MB) and small
// enough that a bomb fails in seconds.
const (
	DefaultMaxEntries   = 100_000
	DefaultMaxEntrySize = 512 << 20
	DefaultMaxTotalSize = 4 << 30
	DefaultMaxDepth     = 2
	DefaultMaxDownload  = 1 << 30
)

func (l Limits) withDefaults() Limits {
	if l.MaxEntries <= 0 {
		l.MaxEntries = DefaultMaxEntries
	}
	if l.MaxEntrySize <= 0 {
		l.MaxEntrySize = DefaultMaxEntrySize
	}
	if l.MaxTotalSize <= 0 {
		l.MaxTotalSize = DefaultMaxTotalSize
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	if l.MaxDownload <= 0 {
		l.MaxDownload = DefaultMaxDownload
	}
	return l
}

// Options configure Open. The zero value is usable.
type Options struct {
	Limits Limits
	// Include, when set, keeps only the files whose path it accepts.
	Include func(path string) bool
	// Raw delivers the members of the top-level archive as they are stored:
	// a member that is itself compressed or an archive is not expanded
	// (backups hold evidence files that happen to be zips or gzips).
	Raw bool

	// HTTP: Client replaces the default client (tests, custom CAs). The
	// default verifies TLS and honours HTTP(S)_PROXY / NO_PROXY.
	Client *http.Client
	// Timeout bounds a whole download (default 10 min); StallTimeout fails a
	// download that delivers no byte for that long (default 30 s), including
	// a server that never answers.
	Timeout      time.Duration
	StallTimeout time.Duration
	// Header is added to every request (e.g. an API key for a private feed).
	Header http.Header

	// GitHub: API base URL (default https://api.github.com) and token
	// (default: env AEGIS_GITHUB_TOKEN).
	GitHubBaseURL string
	GitHubToken   string

	TAXII TAXIIOptions
}

// TAXIIOptions configure a TAXII 2.0/2.1 source.
type TAXIIOptions struct {
	// Version forces "2.0" or "2.1"; empty detects from the server.
	Version string
	// Collection picks collections by id or title when the spec names a
	// discovery or API root URL; empty takes every readable collection.
	Collection string
	// AddedAfter asks only for objects added after this RFC 3339 time.
	AddedAfter string
	// PageSize is the number of objects asked for per request (default 1000).
	PageSize int
	// Merge yields one bundle with every object instead of one per page.
	Merge bool
	// Username and Password for HTTP basic authentication.
	Username, Password string
}

func (o Options) stallTimeout() time.Duration {
	if o.StallTimeout > 0 {
		return o.StallTimeout
	}
	return 30 * time.Second
}

func (o Options) timeout() time.Duration {
	if o.Timeout > 0 {
		return o.Timeout
	}
	return 10 * time.Minute
}

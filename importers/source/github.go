package source

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
)

// githubSource is a repository snapshot from the GitHub tarball API:
// github:owner/repo[@ref][/subdir]. Paths keep their repository layout with
// the "owner-repo-sha/" folder GitHub adds stripped; a subdir keeps only
// files below it.
type githubSource struct {
	owner, repo, ref, subdir string
	opts                     Options
}

var githubName = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

func newGitHubSource(spec string, opts Options) (Source, error) {
	rest := strings.TrimPrefix(spec, "github:")
	bad := func(why string) error {
		return fmt.Errorf("open source %s: %s; expected github:owner/repo[@ref][/subdir]", spec, why)
	}
	parts := strings.SplitN(rest, "/", 2)
	if len(parts) < 2 {
		return nil, bad("missing repository")
	}
	s := &githubSource{owner: parts[0], opts: opts}
	rest = parts[1]
	if at := strings.IndexByte(rest, '@'); at >= 0 {
		s.repo = rest[:at]
		refAndDir := strings.SplitN(rest[at+1:], "/", 2)
		s.ref = refAndDir[0]
		if len(refAndDir) == 2 {
			s.subdir = refAndDir[1]
		}
		if s.ref == "" {
			return nil, bad("empty ref after @")
		}
	} else {
		repoAndDir := strings.SplitN(rest, "/", 2)
		s.repo = repoAndDir[0]
		if len(repoAndDir) == 2 {
			s.subdir = repoAndDir[1]
		}
	}
	if !githubName.MatchString(s.owner) || !githubName.MatchString(s.repo) {
		return nil, bad("invalid owner or repository name")
	}
	sub, err := cleanPath(s.subdir)
	if err != nil {
		return nil, bad("invalid subdir")
	}
	s.subdir = sub
	return s, nil
}

func (s *githubSource) String() string {
	out := "github:" + s.owner + "/" + s.repo
	if s.ref != "" {
		out += "@" + s.ref
	}
	if s.subdir != "" {
		out += "/" + s.subdir
	}
	return out
}

func (s *githubSource) Walk(ctx context.Context, fn WalkFunc) error {
	base := strings.TrimRight(s.opts.GitHubBaseURL, "/")
	if base == "" {
		base = "https://api.github.com"
	}
	u := base + "/repos/" + s.owner + "/" + s.repo + "/tarball"
	if s.ref != "" {
		u += "/" + url.PathEscape(s.ref)
	}
	h := http.Header{}
	h.Set("Accept", "application/vnd.github+json")
	h.Set("X-GitHub-Api-Version", "2022-11-28")
	token := s.opts.GitHubToken
	if token == "" {
		token = os.Getenv("AEGIS_GITHUB_TOKEN")
	}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	resp, err := fetch(ctx, s.opts, u, h)
	if err != nil {
		return fmt.Errorf("%s: %w", s, err)
	}
	defer resp.Body.Close()
	w := newWalker(ctx, s.opts, fn)
	w.rename = func(p string) (string, bool) {
		// GitHub puts everything under one "owner-repo-sha/" folder.
		i := strings.IndexByte(p, '/')
		if i < 0 {
			return "", false
		}
		p = p[i+1:]
		if s.subdir != "" && !strings.HasPrefix(p, s.subdir+"/") {
			return "", false
		}
		return p, p != ""
	}
	if err := w.stream(resp.Body, s.repo+".tar.gz", -1, nil, 0, 0, ""); err != nil {
		return fmt.Errorf("%s: %w", s, err)
	}
	return nil
}

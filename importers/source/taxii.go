package source

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// taxiiSource reads STIX objects from a TAXII 2.1 or 2.0 server. The spec
// is the URL with a "taxii+" prefix: a collection URL (…/collections/ID/)
// or a discovery / API root URL, in which case Options.TAXII.Collection
// picks collections. Each page becomes one synthetic STIX bundle entry
// (taxii/<collection>/page-0001.json) unless Merge asks for one bundle.
type taxiiSource struct {
	url  string
	opts Options
}

const (
	mediaTAXII21 = "application/taxii+json;version=2.1"
	mediaTAXII20 = "application/vnd.oasis.taxii+json; version=2.0"
	mediaSTIX20  = "application/vnd.oasis.stix+json; version=2.0"
	maxPages     = 100_000
)

func newTAXIISource(spec string, opts Options) (Source, error) {
	u := strings.TrimPrefix(strings.TrimPrefix(spec, "taxii+"), "taxii:")
	pu, err := url.Parse(u)
	if err != nil || pu.Host == "" || (pu.Scheme != "https" && pu.Scheme != "http") {
		return nil, fmt.Errorf("open source %s: expected taxii+https://host/api-root/collections/ID/", redact(spec))
	}
	switch opts.TAXII.Version {
	case "", "2.0", "2.1":
	default:
		return nil, fmt.Errorf("open source %s: TAXII version %q not supported (2.0 or 2.1)", redact(spec), opts.TAXII.Version)
	}
	if !strings.HasSuffix(u, "/") {
		u += "/"
	}
	return &taxiiSource{url: u, opts: opts}, nil
}

func (s *taxiiSource) String() string { return "taxii+" + redact(s.url) }

var collectionURL = regexp.MustCompile(`/collections/[^/]+/$`)

func (s *taxiiSource) Walk(ctx context.Context, fn WalkFunc) error {
	collections := []string{s.url}
	if !collectionURL.MatchString(s.url) {
		var err error
		if collections, err = s.discover(ctx); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	w := newWalker(ctx, s.opts, fn)
	for _, c := range collections {
		if err := s.collection(ctx, w, c); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

func (s *taxiiSource) accept(objects bool) string {
	switch s.opts.TAXII.Version {
	case "2.1":
		return mediaTAXII21
	case "2.0":
		if objects {
			return mediaSTIX20
		}
		return mediaTAXII20
	}
	return mediaTAXII21 + ", " + mediaTAXII20 + ", " + mediaSTIX20
}

func (s *taxiiSource) get(ctx context.Context, u string, objects bool, extra http.Header) (*response, error) {
	h := http.Header{}
	h.Set("Accept", s.accept(objects))
	for k, v := range extra {
		h[k] = v
	}
	o := s.opts
	if o.TAXII.Username != "" || o.TAXII.Password != "" {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.SetBasicAuth(o.TAXII.Username, o.TAXII.Password)
		h.Set("Authorization", req.Header.Get("Authorization"))
	}
	return fetch(ctx, o, u, h)
}

func (s *taxiiSource) getJSON(ctx context.Context, u string, v any) error {
	resp, err := s.get(ctx, u, false, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return fmt.Errorf("TAXII %s: not TAXII JSON: %w", redact(u), err)
	}
	return nil
}

// discover resolves a discovery or API root URL to collection URLs.
func (s *taxiiSource) discover(ctx context.Context) ([]string, error) {
	var doc struct {
		Default  string   `json:"default"`
		APIRoots []string `json:"api_roots"`
		Title    string   `json:"title"`
	}
	if err := s.getJSON(ctx, s.url, &doc); err != nil {
		return nil, err
	}
	root := s.url
	if len(doc.APIRoots) > 0 || doc.Default != "" {
		pick := doc.Default
		if pick == "" {
			pick = doc.APIRoots[0]
		}
		r, err := resolve(s.url, pick)
		if err != nil {
			return nil, err
		}
		root = r
	}
	var list struct {
		Collections []struct {
			Id      string `json:"id"`
			Title   string `json:"title"`
			CanRead *bool  `json:"can_read"`
		} `json:"collections"`
	}
	if err := s.getJSON(ctx, root+"collections/", &list); err != nil {
		return nil, err
	}
	var out []string
	var names []string
	for _, c := range list.Collections {
		names = append(names, fmt.Sprintf("%s (%s)", c.Title, c.Id))
		if c.CanRead != nil && !*c.CanRead {
			continue
		}
		want := s.opts.TAXII.Collection
		if want != "" && !strings.EqualFold(want, c.Id) && !strings.EqualFold(want, c.Title) {
			continue
		}
		if c.Id == "" || strings.ContainsAny(c.Id, "/?#") {
			return nil, fmt.Errorf("TAXII collection id %q is not usable", c.Id)
		}
		out = append(out, root+"collections/"+c.Id+"/")
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no readable TAXII collection matches %q at %s; collections: %s",
			s.opts.TAXII.Collection, redact(root), strings.Join(names, ", "))
	}
	return out, nil
}

func resolve(base, ref string) (string, error) {
	b, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	r, err := url.Parse(ref)
	if err != nil {
		return "", fmt.Errorf("TAXII API root %q: %w", ref, err)
	}
	out := b.ResolveReference(r).String()
	if !strings.HasSuffix(out, "/") {
		out += "/"
	}
	return out, nil
}

// page is both a TAXII 2.1 envelope and a TAXII 2.0 (STIX 2.0 bundle) body.
type page struct {
	Type    string            `json:"type"`
	More    bool              `json:"more"`
	Next    string            `json:"next"`
	Objects []json.RawMessage `json:"objects"`
}

var contentRange = regexp.MustCompile(`items\s+(\d+)-(\d+)/(\d+|\*)`)

func (s *taxiiSource) collection(ctx context.Context, w *walker, collURL string) error {
	size := s.opts.TAXII.PageSize
	if size <= 0 {
		size = 1000
	}
	id := strings.TrimSuffix(collURL[strings.LastIndex(strings.TrimSuffix(collURL, "/"), "/")+1:], "/")
	var merged []json.RawMessage
	next, addedAfter := "", s.opts.TAXII.AddedAfter
	start := 0
	v20 := s.opts.TAXII.Version == "2.0"
	seen := map[string]bool{}
	for n := 1; ; n++ {
		if n > maxPages {
			return fmt.Errorf("collection %s: more than %d pages", id, maxPages)
		}
		q := url.Values{}
		q.Set("limit", strconv.Itoa(size))
		if addedAfter != "" {
			q.Set("added_after", addedAfter)
		}
		if next != "" {
			q.Set("next", next)
		}
		h := http.Header{}
		if s.opts.TAXII.Version != "2.1" {
			// TAXII 2.0 pages with Range; a 2.1 server ignores it.
			h.Set("Range", fmt.Sprintf("items %d-%d", start, start+size-1))
		}
		resp, err := s.get(ctx, collURL+"objects/?"+q.Encode(), true, h)
		if err != nil {
			return fmt.Errorf("collection %s page %d: %w", id, n, err)
		}
		var p page
		err = json.NewDecoder(resp.Body).Decode(&p)
		ct := resp.Header.Get("Content-Type")
		cr := resp.Header.Get("Content-Range")
		lastAdded := resp.Header.Get("X-TAXII-Date-Added-Last")
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("collection %s page %d: not a TAXII envelope or STIX bundle: %w", id, n, err)
		}
		if p.Type == "bundle" || strings.Contains(ct, "vnd.oasis") {
			v20 = true
		}
		if s.opts.TAXII.Merge {
			merged = append(merged, p.Objects...)
		} else if len(p.Objects) > 0 {
			if err := w.leaf(bytes.NewReader(bundleOf(p.Objects)), fmt.Sprintf("taxii/%s/page-%04d.json", id, n), -1); err != nil {
				return err
			}
		}
		if len(p.Objects) == 0 {
			break
		}
		if v20 {
			m := contentRange.FindStringSubmatch(cr)
			if m == nil {
				break // no Content-Range: the server sent everything at once
			}
			end, _ := strconv.Atoi(m[2])
			if m[3] != "*" {
				if total, _ := strconv.Atoi(m[3]); end+1 >= total {
					break
				}
			}
			start = end + 1
			continue
		}
		if !p.More {
			break
		}
		switch {
		case p.Next != "":
			if seen[p.Next] {
				return fmt.Errorf("collection %s: server repeated page token %q", id, p.Next)
			}
			seen[p.Next] = true
			next = p.Next
		case lastAdded != "" && lastAdded != addedAfter:
			addedAfter = lastAdded
		default:
			return fmt.Errorf("collection %s: server says more objects follow but gives no next token", id)
		}
	}
	if s.opts.TAXII.Merge {
		return w.leaf(bytes.NewReader(bundleOf(merged)), "taxii/"+id+"/bundle.json", -1)
	}
	return nil
}

// bundleOf wraps objects in a STIX bundle so importers see the same shape
// whatever the transport.
func bundleOf(objects []json.RawMessage) []byte {
	var b bytes.Buffer
	b.WriteString(`{"type":"bundle","id":"bundle--7a1c0e5e-0000-4000-8000-000000000000","objects":[`)
	for i, o := range objects {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(o)
	}
	b.WriteString("]}")
	return b.Bytes()
}

var _ io.Reader = (*bytes.Reader)(nil)

package blob

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/bmatcuk/doublestar/v4"

	"github.com/grantsweep/grantsweep/parse"
)

// Options say how a Store reaches and reads storage accounts.
type Options struct {
	// Endpoint is --storage-endpoint: a DNS suffix for a sovereign cloud
	// (core.usgovcloudapi.net), or the URL of the blob service that az:// and abfss://
	// arguments are read from. "" is the public cloud.
	Endpoint string
	// Window prunes the time partitions that cannot hold a record in it, before they are
	// listed (parse.Window.Prunes).
	Window parse.Window
	// BlobTimeout bounds the reading of one blob, its retries included; 0 is 30 minutes.
	BlobTimeout time.Duration
	// MaxRetries is how often one request (or a stream broken mid-body) is tried again,
	// with exponential backoff from RetryDelay (0: 800 ms), on throttling (429, 503),
	// server errors and dropped connections; 0 is 5, negative is none.
	MaxRetries int
	RetryDelay time.Duration
	// TryTimeout bounds one try of a request; 0 is 2 minutes.
	TryTimeout time.Duration
	// Transport sends the requests; nil is the SDK's (tests count requests with it).
	Transport policy.Transporter
	// Getenv reads AZURE_STORAGE_CONNECTION_STRING (and DefaultAzureCredential's
	// variables are its own); nil is os.Getenv.
	Getenv func(string) string
}

// Blob is one blob an argument named, as the listing gave it.
type Blob struct {
	Name string // the input's name: the argument's form with the blob's name, no SAS
	Size int64  // from the listing, for progress
	path string // in its container
	c    *client
}

// Store lists and opens blobs. Its clients (one per container and credential) are
// shared by every argument; it is safe for use by several goroutines.
type Store struct {
	opt     Options
	mu      sync.Mutex
	clients map[string]*client
	blobs   map[string]Blob
	dac     azcore.TokenCredential
	dacErr  error
}

// New is a Store with options opt.
func New(opt Options) *Store {
	if opt.BlobTimeout <= 0 {
		opt.BlobTimeout = 30 * time.Minute
	}
	switch {
	case opt.MaxRetries == 0:
		opt.MaxRetries = 5
	case opt.MaxRetries < 0:
		opt.MaxRetries = 0
	}
	if opt.TryTimeout <= 0 {
		opt.TryTimeout = 2 * time.Minute
	}
	if opt.Getenv == nil {
		opt.Getenv = os.Getenv
	}
	return &Store{opt: opt, clients: map[string]*client{}, blobs: map[string]Blob{}}
}

// client is a container reached with one credential.
type client struct {
	c       *container.Client
	account string
	cred    string // which credential, as messages name it
}

// AuthError is an authentication or authorisation failure: the credential tried was
// refused (or none could be had). It ends the run (exit 1): every other blob of the
// account would fail the same way.
type AuthError struct {
	Account string
	Cred    string // which credential was tried
	Err     error
}

func (e *AuthError) Error() string {
	return fmt.Sprintf("storage account %s: access refused to %s: %v", e.Account, e.Cred, e.Err)
}

func (e *AuthError) Unwrap() error { return e.Err }

const (
	credSAS     = "the SAS in the URL"
	credConnKey = "the account key of AZURE_STORAGE_CONNECTION_STRING"
	credConnSAS = "the SAS of AZURE_STORAGE_CONNECTION_STRING"
	credDefault = "DefaultAzureCredential (environment, workload identity, managed identity, Azure CLI)"
)

// clientFor is the container of loc with the first credential that applies: a SAS in
// the URL, AZURE_STORAGE_CONNECTION_STRING when it is of the same account, else
// DefaultAzureCredential.
func (s *Store) clientFor(loc *location) (*client, error) {
	curl := loc.service + "/" + loc.container
	key := curl + "?" + loc.sas
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.clients[key]; c != nil {
		return c, nil
	}
	opts := &container.ClientOptions{ClientOptions: azcore.ClientOptions{
		Retry: policy.RetryOptions{
			MaxRetries: int32(s.opt.MaxRetries), TryTimeout: s.opt.TryTimeout,
			RetryDelay: s.opt.RetryDelay, MaxRetryDelay: 30 * time.Second,
			StatusCodes: []int{http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
				http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout},
		},
		Telemetry: policy.TelemetryOptions{Disabled: true},
		Transport: s.opt.Transport,
	}}
	if s.opt.RetryDelay <= 0 {
		opts.Retry.RetryDelay = 800 * time.Millisecond
	}
	if s.opt.MaxRetries == 0 {
		opts.Retry.MaxRetries = -1 // the SDK's "none"
	}
	c := &client{account: loc.account}
	var err error
	cs := parseConnString(s.opt.Getenv("AZURE_STORAGE_CONNECTION_STRING"))
	switch {
	case loc.sas != "":
		c.cred = credSAS
		c.c, err = container.NewClientWithNoCredential(curl+"?"+loc.sas, opts)
	case cs != nil && strings.EqualFold(cs["accountname"], loc.account) && cs["accountkey"] != "":
		c.cred = credConnKey
		var cred *container.SharedKeyCredential
		if cred, err = container.NewSharedKeyCredential(cs["accountname"], cs["accountkey"]); err == nil {
			c.c, err = container.NewClientWithSharedKeyCredential(curl, cred, opts)
		}
	case cs != nil && cs["sharedaccesssignature"] != "" && (cs["accountname"] == "" || strings.EqualFold(cs["accountname"], loc.account)):
		c.cred = credConnSAS
		c.c, err = container.NewClientWithNoCredential(curl+"?"+strings.TrimPrefix(cs["sharedaccesssignature"], "?"), opts)
	default:
		c.cred = credDefault
		if s.dac == nil && s.dacErr == nil {
			s.dac, s.dacErr = azidentity.NewDefaultAzureCredential(nil)
		}
		if s.dacErr != nil {
			return nil, &AuthError{Account: loc.account, Cred: c.cred, Err: s.dacErr}
		}
		c.c, err = container.NewClient(curl, tokenCred{s.dac}, opts)
	}
	if err != nil {
		return nil, &AuthError{Account: loc.account, Cred: c.cred, Err: err}
	}
	s.clients[key] = c
	return c, nil
}

// parseConnString reads a connection string's settings (names in lower case); nil for "".
func parseConnString(cs string) map[string]string {
	if strings.TrimSpace(cs) == "" {
		return nil
	}
	m := map[string]string{}
	for part := range strings.SplitSeq(cs, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok {
			m[strings.ToLower(k)] = v
		}
	}
	return m
}

// tokenCred marks the errors of getting a token, so that they read as the credential's.
type tokenCred struct{ azcore.TokenCredential }

func (t tokenCred) GetToken(ctx context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	tok, err := t.TokenCredential.GetToken(ctx, o)
	if err != nil {
		err = &credError{err}
	}
	return tok, err
}

type credError struct{ err error }

func (e *credError) Error() string { return "no token: " + firstLine(e.err.Error()) }
func (e *credError) Unwrap() error { return e.err }

// authError turns a refusal (401, 403, or no token) into an AuthError; other errors are
// returned as they are.
func (c *client) authError(err error) error {
	var ce *credError
	if errors.As(err, &ce) {
		return &AuthError{Account: c.account, Cred: c.cred, Err: ce}
	}
	var re *azcore.ResponseError
	if errors.As(err, &re) && (re.StatusCode == http.StatusUnauthorized || re.StatusCode == http.StatusForbidden) {
		return &AuthError{Account: c.account, Cred: c.cred, Err: errors.New(statusText(re))}
	}
	return err
}

// statusText is a response error in one line: "HTTP 503 ServerBusy".
func statusText(re *azcore.ResponseError) string {
	s := fmt.Sprintf("HTTP %d", re.StatusCode)
	if re.ErrorCode != "" {
		s += " " + re.ErrorCode
	}
	return s
}

// short makes the SDK's errors (a response dumped over many lines) one line.
func short(err error) error {
	if err == nil {
		return nil
	}
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		return &shortError{msg: statusText(re), err: err}
	}
	return err
}

type shortError struct {
	msg string
	err error
}

func (e *shortError) Error() string { return e.msg }
func (e *shortError) Unwrap() error { return e.err }

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(s)
}

// Expand lists the blobs that arg names, sorted by name: a glob's matches (a matching
// folder for the blobs below it), or for a name without glob characters, that blob and
// the blobs below it as a folder. Listing asks only for the glob's literal prefix; with a
// window, it walks the folders one level at a time and leaves out the partitions the
// window prunes (named in pruned, in the argument's form) without listing them. An
// argument that names no blob is an error; so is a refused credential (an *AuthError).
func (s *Store) Expand(ctx context.Context, arg string) (blobs []Blob, pruned []string, err error) {
	loc, err := parseLocation(arg, s.opt.Endpoint)
	if err != nil {
		return nil, nil, err
	}
	shown := redactSAS(arg)
	c, err := s.clientFor(loc)
	if err != nil {
		return nil, nil, err
	}
	m := newMatcher(loc.pattern)
	add := func(name string, size int64) {
		blobs = append(blobs, Blob{Name: loc.display + name, Size: size, path: name, c: c})
	}
	if s.opt.Window.IsOpen() {
		err = c.listFlat(ctx, m.prefix, func(name string, size int64) {
			if m.matches(name) {
				add(name, size)
			}
		})
	} else {
		err = c.walk(ctx, m.dirPrefix(), m, s.opt.Window, add, func(dir string) { pruned = append(pruned, loc.display+dir) })
	}
	if err != nil {
		var re *azcore.ResponseError
		if errors.As(err, &re) && bloberror.HasCode(err, bloberror.ContainerNotFound) {
			return nil, nil, fmt.Errorf("%s: no such container %s in storage account %s", shown, loc.container, loc.account)
		}
		if err = c.authError(err); errors.As(err, new(*AuthError)) {
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("%s: listing: %w", shown, short(err))
	}
	slices.SortFunc(blobs, func(a, b Blob) int { return strings.Compare(a.Name, b.Name) })
	blobs = slices.CompactFunc(blobs, func(a, b Blob) bool { return a.Name == b.Name })
	slices.Sort(pruned)
	if len(blobs) == 0 && len(pruned) == 0 {
		return nil, nil, fmt.Errorf("%s: no blobs match", shown)
	}
	s.mu.Lock()
	for _, b := range blobs {
		s.blobs[b.Name] = b
	}
	s.mu.Unlock()
	return blobs, pruned, nil
}

// Lookup is the blob of an input name that Expand listed.
func (s *Store) Lookup(name string) (Blob, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.blobs[name]
	return b, ok
}

// isFolder reports a Data Lake (hierarchical namespace) folder, which a listing gives as a
// blob of no bytes.
func isFolder(md map[string]*string) bool {
	for k, v := range md {
		if strings.EqualFold(k, "hdi_isfolder") && v != nil && strings.EqualFold(*v, "true") {
			return true
		}
	}
	return false
}

// listFlat lists every blob whose name starts with prefix.
func (c *client) listFlat(ctx context.Context, prefix string, fn func(name string, size int64)) error {
	opts := &container.ListBlobsFlatOptions{Include: container.ListBlobsInclude{Metadata: true}}
	if prefix != "" {
		opts.Prefix = &prefix
	}
	pager := c.c.NewListBlobsFlatPager(opts)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, it := range page.Segment.BlobItems {
			if it.Name == nil || isFolder(it.Metadata) {
				continue
			}
			fn(*it.Name, sizeOf(it.Properties))
		}
	}
	return nil
}

func sizeOf(p *container.BlobProperties) int64 {
	if p == nil || p.ContentLength == nil {
		return 0
	}
	return *p.ContentLength
}

// walk lists the folder prefix one level at a time (delimiter "/"): the blobs that m
// matches are added, the folders that w prunes are named and not listed, the folders no
// match can be below are not listed, and the others are walked in turn.
func (c *client) walk(ctx context.Context, prefix string, m *matcher, w parse.Window, add func(string, int64), prunedDir func(string)) error {
	opts := &container.ListBlobsHierarchyOptions{Include: container.ListBlobsInclude{Metadata: true}}
	if prefix != "" {
		opts.Prefix = &prefix
	}
	var dirs []string
	pager := c.c.NewListBlobsHierarchyPager("/", opts)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, it := range page.Segment.BlobItems {
			if it.Name == nil || isFolder(it.Metadata) {
				continue
			}
			if m.matches(*it.Name) {
				add(*it.Name, sizeOf(it.Properties))
			}
		}
		for _, p := range page.Segment.BlobPrefixes {
			if p.Name == nil {
				continue
			}
			dir := *p.Name
			switch {
			case w.Prunes(strings.TrimSuffix(dir, "/")):
				prunedDir(dir)
			case m.below(dir):
				dirs = append(dirs, dir)
			}
		}
	}
	for _, d := range dirs {
		if err := c.walk(ctx, d, m, w, add, prunedDir); err != nil {
			return err
		}
	}
	return nil
}

// matcher says which blob names an argument's pattern names.
type matcher struct {
	pattern string
	glob    bool
	prefix  string // the literal prefix: what listing asks for
}

func newMatcher(pattern string) *matcher {
	m := &matcher{pattern: pattern}
	if i := strings.IndexAny(pattern, "*?[{\\"); i >= 0 {
		m.glob, m.prefix = true, pattern[:i]
	} else {
		m.prefix = pattern
	}
	return m
}

// dirPrefix is the folder the literal prefix is in ("" for the container): a walk starts
// there.
func (m *matcher) dirPrefix() string {
	if i := strings.LastIndex(m.prefix, "/"); i >= 0 {
		return m.prefix[:i+1]
	}
	return ""
}

// matches reports whether the blob name is named: matched by the glob, or below a folder it
// matches; without a glob, the name itself or a blob below it as a folder.
func (m *matcher) matches(name string) bool {
	if !m.glob {
		p := m.pattern
		return p == "" || name == p || strings.HasPrefix(name, strings.TrimSuffix(p, "/")+"/")
	}
	if ok, _ := doublestar.Match(m.pattern, name); ok {
		return true
	}
	for i := range len(name) {
		if name[i] == '/' {
			if ok, _ := doublestar.Match(m.pattern, name[:i]); ok {
				return true
			}
		}
	}
	return false
}

// below reports whether a blob below the folder dir (ending in "/") may be named.
func (m *matcher) below(dir string) bool {
	if !m.glob {
		p := strings.TrimSuffix(m.pattern, "/")
		return p == "" || strings.HasPrefix(dir, p+"/") || strings.HasPrefix(p+"/", dir)
	}
	if ok, _ := doublestar.Match(m.pattern, strings.TrimSuffix(dir, "/")); ok {
		return true // a matching folder stands for every blob below it
	}
	if strings.Contains(m.pattern, "{") {
		return true // alternatives may span folders: no pruning on the pattern's account
	}
	psegs := strings.Split(m.pattern, "/")
	dsegs := strings.Split(strings.TrimSuffix(dir, "/"), "/")
	for i, d := range dsegs {
		if i >= len(psegs) {
			return false
		}
		if psegs[i] == "**" {
			return true
		}
		if ok, _ := doublestar.Match(psegs[i], d); !ok {
			return false
		}
	}
	return len(psegs) > len(dsegs)
}

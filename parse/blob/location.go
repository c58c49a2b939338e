// Package blob reads inputs where Entra's diagnostic settings and lakes leave them: blobs in
// Azure Blob Storage and Data Lake Storage Gen2, named by URL beside local paths
// (https://ACCOUNT.blob.core.windows.net/CONTAINER/PREFIX-or-glob,
// az://ACCOUNT/CONTAINER/glob, abfss://CONTAINER@ACCOUNT.dfs.core.windows.net/glob, and
// the emulator's path-style http://127.0.0.1:10000/devstoreaccount1/CONTAINER/PREFIX).
// A Store lists the blobs an argument names by the glob's literal prefix only, pruning
// the time partitions a window rules out before listing them, and opens each as a stream
// (with ranged reads for Parquet), with the SDK's retries and a deadline per blob.
package blob

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// IsRemote reports whether arg names blobs in a storage account rather than a local path.
func IsRemote(arg string) bool {
	for _, s := range []string{"https://", "http://", "az://", "abfss://"} {
		if len(arg) > len(s) && strings.EqualFold(arg[:len(s)], s) {
			return true
		}
	}
	return false
}

// DefaultSuffix is the DNS suffix of the public cloud's storage endpoints; --storage-endpoint
// gives a sovereign cloud's (core.usgovcloudapi.net, core.chinacloudapi.cn).
const DefaultSuffix = "core.windows.net"

// location is an argument taken apart.
type location struct {
	account   string
	container string
	service   string // the blob service's URL: https://ACCOUNT.blob.SUFFIX, or path-style http://HOST:PORT/ACCOUNT
	pattern   string // blob names: a glob, or a prefix (a blob, or a folder of blobs)
	sas       string // the SAS of the URL, without '?'; "" for none
	display   string // how the blobs' names are shown: the argument's form up to the pattern, no SAS
}

// parseLocation takes an argument apart. endpoint is --storage-endpoint: a DNS suffix
// (core.chinacloudapi.cn), or the URL of the blob service that az:// and abfss://
// arguments are read from (a private endpoint, the emulator's http://127.0.0.1:10000/devstoreaccount1).
func parseLocation(arg, endpoint string) (*location, error) {
	rest, sas := splitSAS(arg)
	scheme, rest, _ := strings.Cut(rest, "://")
	scheme = strings.ToLower(scheme)
	loc := &location{sas: sas}
	bad := func(why string) (*location, error) {
		return nil, fmt.Errorf("%s: not a storage URL: %s", redactSAS(arg), why)
	}
	switch scheme {
	case "az":
		// az://ACCOUNT/CONTAINER/glob
		parts := strings.SplitN(rest, "/", 3)
		if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
			return bad("az://ACCOUNT/CONTAINER/PATH expected")
		}
		loc.account, loc.container = parts[0], parts[1]
		if len(parts) == 3 {
			loc.pattern = parts[2]
		}
		loc.display = "az://" + loc.account + "/" + loc.container + "/"
		loc.service = serviceFor(loc.account, "", endpoint)
	case "abfss":
		// abfss://CONTAINER@ACCOUNT.dfs.SUFFIX/glob
		authority, pattern, _ := strings.Cut(rest, "/")
		container, host, found := strings.Cut(authority, "@")
		if !found || container == "" || host == "" {
			return bad("abfss://CONTAINER@ACCOUNT.dfs.core.windows.net/PATH expected")
		}
		account, suffix, _ := strings.Cut(host, ".")
		suffix = strings.TrimPrefix(suffix, "dfs.")
		loc.account, loc.container, loc.pattern = account, container, pattern
		loc.display = "abfss://" + container + "@" + host + "/"
		loc.service = serviceFor(account, suffix, endpoint)
	case "http", "https":
		host, p, _ := strings.Cut(rest, "/")
		if host == "" {
			return bad("no host")
		}
		p = unescape(p)
		hostname := host
		if h, _, err := net.SplitHostPort(host); err == nil {
			hostname = h
		}
		if pathStyle(hostname) {
			// http://127.0.0.1:10000/ACCOUNT/CONTAINER/PREFIX: the emulator's form
			parts := strings.SplitN(p, "/", 3)
			if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
				return bad("path-style URL: " + scheme + "://HOST/ACCOUNT/CONTAINER/PATH expected")
			}
			loc.account, loc.container = parts[0], parts[1]
			if len(parts) == 3 {
				loc.pattern = parts[2]
			}
			loc.service = scheme + "://" + host + "/" + loc.account
			loc.display = loc.service + "/" + loc.container + "/"
			break
		}
		container, pattern, _ := strings.Cut(p, "/")
		if container == "" {
			return bad(scheme + "://ACCOUNT.blob.core.windows.net/CONTAINER/PATH expected")
		}
		account, _, _ := strings.Cut(hostname, ".")
		loc.account, loc.container, loc.pattern = account, container, pattern
		loc.display = scheme + "://" + host + "/" + container + "/"
		// A Data Lake's dfs endpoint is read through the blob endpoint of the same account.
		loc.service = scheme + "://" + strings.Replace(host, ".dfs.", ".blob.", 1)
	default:
		return bad("az://, abfss://, https:// or http:// expected")
	}
	return loc, nil
}

// serviceFor is the blob service URL of account: endpoint when it is a URL, else
// https://ACCOUNT.blob.SUFFIX with endpoint, or the suffix the argument had, or the public cloud's.
func serviceFor(account, suffix, endpoint string) string {
	if strings.Contains(endpoint, "://") {
		return strings.TrimSuffix(endpoint, "/")
	}
	if endpoint != "" {
		suffix = strings.TrimPrefix(endpoint, ".")
	}
	if suffix == "" {
		suffix = DefaultSuffix
	}
	return "https://" + account + ".blob." + suffix
}

// pathStyle reports a host whose URLs name the account in their path: an IP address or
// localhost, as the emulator (and a storage stack on premises) is reached.
func pathStyle(host string) bool {
	return net.ParseIP(strings.Trim(host, "[]")) != nil || strings.EqualFold(host, "localhost")
}

// splitSAS cuts a SAS token (a query of sv= and sig=) off an argument. A '?' that starts
// no SAS is a glob's.
func splitSAS(arg string) (rest, sas string) {
	i := strings.LastIndex(arg, "?")
	if i < 0 {
		return arg, ""
	}
	q := arg[i+1:]
	v, err := url.ParseQuery(q)
	if err != nil || v.Get("sig") == "" {
		return arg, ""
	}
	return arg[:i], q
}

// redactSAS is arg with its SAS signature hidden, for messages.
func redactSAS(arg string) string {
	rest, sas := splitSAS(arg)
	if sas == "" {
		return arg
	}
	return rest + "?(SAS)"
}

// unescape decodes a URL path's escapes (%20), leaving one that does not decode as it is.
func unescape(p string) string {
	if u, err := url.PathUnescape(p); err == nil {
		return u
	}
	return p
}

// Shown is arg as messages and reports show it: a SAS's signature is never shown.
func Shown(arg string) string { return redactSAS(arg) }

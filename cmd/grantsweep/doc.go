/*
Grantsweep finds the invalid-grant failures (AADSTS70000 and its family) in Microsoft
Entra ID sign-in log exports, classifies each by cause with a rule set that is data, and
summarizes them.

Usage:

	grantsweep sweep [flags] PATH...
	grantsweep events [flags] PATH...
	grantsweep merge [flags] SUMMARY.json...
	grantsweep rules list|show ID|check FILE|export --kql|default
	grantsweep completion bash|zsh|fish|powershell
	grantsweep version [--json]
	grantsweep help [COMMAND]

Help that was asked for (help, help COMMAND, --help, -h) is written to standard output
with exit 0; errors go to standard error with exit 2. An unknown command, help topic,
flag, flag value, rules verb, shell, or cause or family id (--cause, --family, --fail-on,
rules show) is a usage error that names the closest candidates ("did you mean").

A flag's value follows it after a space or after "=". A flag whose value is optional,
--progress and every true/false flag (--strict, --partial, --redact ...), takes it after
"=" (--strict=false), or after a space when the next word is one of its values: auto,
always or never for --progress, true or false for the others (--progress always,
--partial false). Any other word after such a flag is not its value: "--strict logs/" is
--strict and the PATH logs/. A PATH named true, false, auto, always or never that comes
right after one of them is written ./true, or after --.

PATH is a file, a directory (walked recursively, hidden names skipped, symbolic links
followed with each file read once; --no-follow to name and skip links met in a walk), a
glob (** for any depth; a matching directory is walked), - for standard input, or blobs
in a storage account, in any mix: https://ACCOUNT.blob.core.windows.net/CONTAINER/PREFIX
(or a glob; a SAS after ?), az://ACCOUNT/CONTAINER/GLOB, abfss://CONTAINER@ACCOUNT.dfs.core.windows.net/GLOB,
and the emulator's http://127.0.0.1:10000/devstoreaccount1/CONTAINER/PREFIX; credentials:
the URL's SAS, AZURE_STORAGE_CONNECTION_STRING of the same account, then
DefaultAzureCredential. With --since or --until, y=/m=/d=/h= (and Hive date=, year=...)
folders that cannot hold a record in the window are pruned, local or remote. A FIFO
is read once, as a stream. The format of each input is detected from its bytes:
Graph API pages {"value":[...]} (v1.0 and beta), bare arrays and objects, several top-level
values in one file (PowerShell appends), JSON Lines (LF or CRLF), Azure Monitor
diagnostic-settings records (PT1H.json) and Event Hub batches {"records":[...]}, Log
Analytics records (PascalCase, dynamic columns as objects or JSON text) and query-API
results ({"tables":[{"columns", "rows"}]}, Kusto's {"Tables":[...]}); the portal's CSV
downloads and Log Analytics CSV exports; Parquet, flat (Log Analytics / Kusto columns) or
nested (Spark-written diagnostic records); UTF-8 with or without a BOM, UTF-16 (Windows
PowerShell's Out-File), and any of these gzip-, zstd- or bzip2-compressed (xz and zip
are named: decompress them first). In-scope events are
de-duplicated by event id across all inputs.

The flags of sweep and merge (a merge's result is a summary like any other):

	--format table|csv|markdown|json|html
	                         output format (default table)
	-o, --output FILE        write the report to FILE atomically instead of standard output
	--out DIR                also write every table as its own file, with an index
	--tz ZONE                show times in a zone: IANA (Europe/Amsterdam), Windows
	                         (W. Europe Standard Time) or local, and count by_time's days
	                         in it; JSON times stay UTC, CSV and --out files write RFC 3339 with
	                         its offset
	--top N                  rows per breakdown table, 0 for all (default 10)
	--fail-on EXPR           exit 3, after writing every report, when EXPR holds:
	                         NAME OP NUMBER[%], such as revoked>=50, binding>0,
	                         expired_inactivity>=20% (repeatable)
	--baseline FILE          compare with an earlier run's JSON summary (one that does not
	                         exist is a note on stderr and no comparison)
	--baseline-required      a --baseline that does not exist is a usage error
	--csv-bom                start every CSV output with a UTF-8 byte order mark
	--rules FILE             a YAML rule file; --rules-mode extend (default) or replace
	--color auto|always|never
	--memory SIZE            memory budget of the whole process, such as 64MiB or 1GiB (default
	                         64MiB, or GOMEMLIMIT when set); in-scope events beyond it spill
	                         to sorted runs on disk, with the same result
	--spill-dir DIR          where the temporary directory of spilled runs is made (default the
	                         system's); it is removed on exit, and on Ctrl-C
	--partial=false          the JSON summary without its partial member (it cannot be merged)

and of sweep only (the filters, --redact, --no-dedupe, --strict, --input-format,
--no-follow, --no-prefilter and the storage flags also apply to events; the storage
flags to merge too):

	--since TIME, --until TIME  RFC 3339, a time as the reports show it (2026-11-24 15:38),
	                         a date, or relative: 24h, 7d, 2w; without a zone, in --tz
	                         (a time its clocks show twice is refused: give the offset);
	                         an --until not after --since is a usage error
	--user U, --app A, --ip IP  users, apps, addresses or CIDR blocks (* and ? match)
	--cause ID, --family ID     in-scope events of these causes or families
	--redact                 pseudonymize users and IPs (--redact-key or GRANTSWEEP_REDACT_KEY;
	                         --redact-key without --redact is a usage error)
	--no-dedupe              keep in-scope events whose id was already seen
	--strict                 exit 4 when a record was skipped or an input failed
	--workers N              inputs read at once (default: the number of cores)
	--input-format F         take every input to be json, csv or parquet (default auto: detect each);
	                         an input whose first bytes contradict it fails at once, named
	--no-follow              do not follow symbolic links met in a directory walk
	--no-prefilter           decode every record (slower; the result is the same)
	--no-prune               read every partition folder, even those --since/--until rule out
	--storage-endpoint S     for az:// and abfss://: a sovereign cloud's suffix, or a blob service URL
	--blob-timeout D         give up a blob not read within D, retries included (default 30m)
	--progress[=auto|always|never]  a progress line on stderr, on a terminal only by default
	--cpuprofile FILE, --memprofile FILE

Events lists the in-scope events, one per row (CSV, or --format jsonl), with the rule and
the evidence (field, value, phrase) that decided each and the file, line and offset it came
from. It reads through sweep's own per-record pipeline, so its rows are the summary's
in_scope for the same inputs and flags. Skipped records and inputs that fail are reported
on stderr as by sweep; with --strict, events exits 4 after writing its rows. Rows come in
input order (standard input, then the files sorted by path), each file's in file order.

Merge takes JSON summaries made by sweep (or merge) over parts of the logs, in the order
given, and renders the summary of the whole exactly: each summary's partial member holds
the in-scope events, so de-duplication and distinct counts work across parts. Summaries
made with another rule set, another de-duplication or other filters are refused, and so
are the same shard twice (a shard is known by its inputs) and a summary holding an input
another holds; so is a summary that
sweep could not have written (a member of the wrong type, a negative count, counts that do
not add up, an index out of range, a time that does not parse): a usage error (exit 2)
naming the file and the member, such as partial.codes[2].records.

Rules: "rules list" prints the active rule table in order, then the change kinds of
the audit join (id, key, window, causes explained), "rules show ID" one rule or change
kind, "rules check FILE" validates a rule file strictly, its change kinds included (every
problem in one pass, sorted by line, each with file:line:col; exit 2; when it is valid, a
second line gives the number of change kinds and their fingerprint), "rules export --kql [--since 1d]" prints the
rules as a Kusto query over SigninLogs and AADNonInteractiveUserSignInLogs, and "rules
default" the default rules. The query's --since is read as sweep's --since and written
as a Kusto literal: a duration back from now becomes ago() in whole days, hours, minutes
or seconds (2w is ago(14d)), an absolute time datetime() in UTC (a date or time without
a zone is taken as UTC: rules has no --tz); anything else is a usage error.

Completion: "completion bash" (zsh, fish, powershell) prints a script that completes
commands, flags, the values of flags that take one of a list, cause and family ids, and
file names, by asking the grantsweep it runs at each Tab (the hidden command
__complete). To load it:

	source <(grantsweep completion bash)                  # in ~/.bashrc
	grantsweep completion zsh > "${fpath[1]}/_grantsweep"  # then a new zsh
	grantsweep completion fish > ~/.config/fish/completions/grantsweep.fish
	grantsweep completion powershell | Out-String | Invoke-Expression  # in $PROFILE

Version: "version" prints "grantsweep VERSION" (the version of the JSON summary's
generated_by), then the VCS revision the binary was built from, "(modified)" if the
work tree had changes, its commit time, the Go version and GOOS/GOARCH, as far as the
build recorded them. "version --json" prints one object with the members version,
revision, time (RFC 3339), modified (true or false), go, os and arch; each is always
there, empty or false when unknown.

A record that cannot be decoded (any record that is not JSON by RFC 8259, with or
without --no-prefilter) is skipped, counted and reported with its file, line, byte offset
and reason; the rest of the input goes on from the next record boundary. An input that
cannot be read is named on standard error and the run goes on with the others; so does an
input whose reading panics (an internal error, reported as that input's). Records that
are not sign-ins (audit and other logs) are counted apart by category (other_records),
never as sign-ins; an input of such records only is named on standard error as not a
sign-in export, is listed so in the summary's inputs, and is no failure for --strict. Ctrl-C or
SIGTERM stops within a second; a second one ends the process at once (exit 130), after
removing what was spilled. GRANTSWEEP_DEBUG=1 adds the stack to an internal error.

Exit codes:

	0  success
	1  error: nothing usable could be read, or an output could not be written
	2  usage error
	3  a --fail-on threshold was crossed
	4  --strict, and records were skipped or inputs failed

Failures over time (the report's "Failures by day" and the JSON summary's tables.by_time)
are counted in buckets that fit the span of the in-scope events, so that a chart has at
most about 120 bars: an hour when the events span at most 120 hours, a day when at most
120 days, a week (from Monday) when at most 120 weeks, a month when at most 120 months,
else a year. Days start at midnight in the --tz zone (a day is 23 or 25 hours when the
clocks change), weeks at Monday's. The terminal lists a bar per bucket when there are at
most 24 buckets, or --top if more (every one with --top 0), else draws a column per bucket
and lists the --top busiest. tables.by_hour, a row per UTC hour, stays in the JSON summary
and --out.

The JSON summary (--format json) follows the schema grantsweep.summary/v1, published in
report/summary.schema.json.
*/
package main

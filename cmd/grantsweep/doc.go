/*
Grantsweep finds the invalid-grant failures (AADSTS70000 and its family) in Microsoft
Entra ID sign-in log exports, classifies each by cause with a rule set that is data, and
summarizes them.

Usage:

	grantsweep sweep [flags] PATH...
	grantsweep version
	grantsweep help [COMMAND]

PATH is a file, a directory (walked recursively, hidden names skipped), a glob (** for any
depth), or - for standard input. The format of each input is detected from its bytes:
Graph API pages {"value":[...]} (v1.0 and beta), bare arrays and objects, several top-level
values in one file (PowerShell appends), JSON Lines (LF or CRLF), Azure Monitor
diagnostic-settings records (PT1H.json) and Event Hub batches {"records":[...]}, Log
Analytics records (PascalCase, dynamic columns as objects or JSON text); the portal's CSV
downloads and Log Analytics CSV exports; Parquet, flat (Log Analytics / Kusto columns) or
nested (Spark-written diagnostic records); UTF-8 with or without a BOM, UTF-16 (Windows
PowerShell's Out-File), and any of these gzip-compressed. In-scope events are
de-duplicated by event id across all inputs.

The flags of sweep:

	--format table|csv|json  output format (default table)
	-o, --output FILE        write the report to FILE atomically instead of standard output
	--top N                  rows per breakdown table, 0 for all (default 10)
	--no-dedupe              keep in-scope events whose id was already seen
	--strict                 exit 4 when a record was skipped or an input failed
	--color auto|always|never
	--cpuprofile FILE, --memprofile FILE

A record that cannot be decoded is skipped, counted and reported with its file, line, byte
offset and reason; the rest of the input goes on. An input that cannot be read is named on
standard error and the run goes on with the others.

Exit codes:

	0  success
	1  error: nothing usable could be read, or an output could not be written
	2  usage error
	3  a --fail-on threshold was crossed
	4  --strict, and records were skipped or inputs failed

The JSON summary (--format json) follows the schema grantsweep.summary/v1, published in
report/summary.schema.json.
*/
package main

package main

import (
	"io"
	"strings"

	"github.com/spf13/pflag"

	"github.com/grantsweep/grantsweep/rules"
)

// sqlExport is rules export --sql: the rule set and the summary's counting as one SQL
// query (rules.Set.WriteSQL) that a lake engine runs where the sign-ins are.
type sqlExport struct {
	on      bool
	dialect string
	from    string
	shape   string
}

const sqlFromHelp = "the sign-ins to read, a SQL `TABLE` expression: a table or view name, read_parquet('signins/*.parquet') " +
	"(DuckDB), parquet.`/lake/signins` (Spark), or a subquery in parentheses"

func (e *sqlExport) addFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&e.on, "sql", false, "export the rules and the summary as one SQL query (rules export)")
	choiceVar(fs, &e.dialect, "dialect", "SQL", rules.DialectDuckDB, rules.SQLDialects, "SQL dialect of --sql: duckdb, or spark (Spark SQL: Databricks, Fabric, Synapse)")
	fs.StringVar(&e.from, "from", "signins", sqlFromHelp)
	choiceVar(fs, &e.shape, "shape", "SHAPE", rules.ShapeLogAnalytics, rules.SQLShapes,
		"how the --from table's columns are named: log-analytics (SigninLogs and AADNonInteractiveUserSignInLogs columns, flat, "+
			"dynamic columns such as Status as JSON text: an ADX or Fabric export to Parquet) or diagnostic (the diagnostic-settings "+
			"record: time, category, resultType at the top, the sign-in in the properties struct) or graph (the Graph API signIn, camelCase, status as a struct or JSON text)")
}

func (e *sqlExport) write(w io.Writer, set *rules.Set) error {
	if strings.TrimSpace(e.from) == "" {
		return usageError("rules export --sql: --from: give a table")
	}
	return set.WriteSQL(w, e.from, e.shape, e.dialect)
}

// Checks Kusto queries with Kusto.Language, the parser and semantic analyzer behind the
// Logs blade (@kusto/language-service-next), given the schemas of the tables they read
// (schemas.js). Prints every diagnostic as FILE:LINE:COL: CODE SEVERITY MESSAGE and exits 1
// when any query has one, 2 when it cannot run.
//
//   node check.js QUERY.kql...
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');
const schemas = require('./schemas.js');

const dir = path.join(__dirname, 'node_modules', '@kusto', 'language-service-next');
for (const f of ['bridge.js', 'Kusto.Language.Bridge.js']) { // Bridge.NET's runtime, then Kusto.Language
  vm.runInThisContext(fs.readFileSync(path.join(dir, f), 'utf8'), { filename: f });
}
const K = globalThis.Kusto.Language;

const tables = Object.entries(schemas).map(([name, cols]) =>
  new K.Symbols.TableSymbol.$ctor7(name, '(' + Object.entries(cols).map(([c, t]) => `${c}:${t}`).join(', ') + ')', null));
const globals = K.GlobalState.Default.WithDatabase(new K.Symbols.DatabaseSymbol.$ctor1('Workspace', tables, false));

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node check.js QUERY.kql...');
  process.exit(2);
}
let bad = 0;
for (const file of files) {
  const text = fs.readFileSync(file, 'utf8');
  const code = K.KustoCode.ParseAndAnalyze(text, globals);
  const diags = code.GetDiagnostics();
  for (let i = 0; i < diags.Count; i++) {
    const d = diags.getItem(i);
    const before = text.slice(0, d.Start).split('\n');
    const line = before.length, col = before[before.length - 1].length + 1;
    const at = text.slice(d.Start, d.Start + Math.min(d.Length, 60));
    console.log(`${file}:${line}:${col}: ${d.Code} ${d.Severity} ${d.Message} [at ${JSON.stringify(at)}]`);
    bad++;
  }
  if (diags.Count === 0) console.log(`${file}: ok`);
}
process.exit(bad > 0 ? 1 : 0);

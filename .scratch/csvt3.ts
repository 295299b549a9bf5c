import { parse } from "csv-parse/sync";
const nl = "\r\n";
const text = "\uFEFF" + ['text;x', 'a;1', '', `"b${nl}c${nl}d";2`, ' ', ';', 'e;3', '', '', 'f;4', '"g\rh";5'].join(nl) + nl;
const recs = parse(text.replace(/\r\n?/g, "\n"), { delimiter: ";", info: true, relax_column_count: true, skip_empty_lines: true, skip_records_with_empty_values: true, bom: true }) as any[];
for (const r of recs) console.log(JSON.stringify(r.record), r.info.lines);

import { parse } from "csv-parse/sync";
for (const nl of ["\n", "\r\n"]) {
const text = ['text;x', 'a;1', `"b${nl}c${nl}d";2`, 'e;3', 'f;4'].join(nl) + nl;
const recs = parse(text, { delimiter: ";", info: true, relax_column_count: true, skip_empty_lines: true, bom: true });
console.log(JSON.stringify(nl), (recs as any[]).map((r) => r.info.lines));
}

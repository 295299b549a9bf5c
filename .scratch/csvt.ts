import { parse } from "csv-parse/sync";
const text = 'text;link\n"a\nb";x\n\nc;y\n"bad;z\nd;w;extra\n';
try {
const recs = parse(text, { delimiter: ";", info: true, relax_column_count: true, skip_empty_lines: true, bom: true });
for (const r of recs as any[]) console.log(JSON.stringify(r.record), r.info.lines, r.info.index);
} catch (e: any) { console.log("ERR", e.code, e.message, e.lines); }
const recs2 = parse('text;link\n"a\nb";x\n\nc;y\nd;w;extra\n', { delimiter: ";", info: true, relax_column_count: true, skip_empty_lines: true, bom: true, raw: true });
for (const r of recs2 as any[]) console.log(JSON.stringify(r.record), r.info.lines, JSON.stringify(r.raw));

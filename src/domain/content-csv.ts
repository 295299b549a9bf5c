import { CsvError, parse } from "csv-parse/sync";
import { z } from "zod";
import { MAX_ITEM_MEDIA, parseMediaUrl } from "./content-items.ts";
import { DomainError } from "./errors.ts";

/** The columns /content import reads (design.md section 12); only `text` is required. */
export const IMPORT_COLUMNS = [
  "text",
  "link",
  "media_url",
  "evergreen",
  "tags",
  "expires_on",
  "max_uses",
] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];

/** Columns /content export adds; an import reads past them, so an exported file imports again. */
export const EXPORT_ONLY_COLUMNS = [
  "id",
  "uses",
  "last_used",
  "impressions",
  "clicks",
  "ctr",
] as const;

export const MAX_IMPORT_ROWS = 5000;
/** 5,000 rows of long texts with spintax fit; a 20 MB file is refused before it is read. */
export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;
/** One record longer than this is not a library item but a broken file (an unclosed quote). */
const MAX_RECORD_CHARS = 20_000;

const parsedRecords = z.array(
  z.object({ record: z.array(z.string()), info: z.object({ lines: z.number().int() }) }),
);

/** A data row of the file: its first line's number and its cells by column, or what is wrong. */
export type CsvRow =
  | { line: number; cells: Partial<Record<ImportColumn, string>> }
  | { line: number; problem: string };

function refuseFile(problem: string): never {
  throw new DomainError("invalid_input", `The file was not imported: ${problem}`);
}

/** UTF-8 text, with or without a byte order mark; anything else is refused. */
function decode(bytes: Uint8Array): string {
  try {
    // TextDecoder drops a leading BOM.
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return refuseFile("it is not UTF-8 text. Save it as CSV UTF-8 and attach it again.");
  }
}

/** The header row decides: a spreadsheet in a comma-decimal locale writes semicolons. */
function delimiterOf(text: string): "," | ";" {
  const header = text.slice(0, text.search(/\r?\n|$/u));
  const count = (char: string) => header.split(char).length - 1;
  return count(";") > count(",") ? ";" : ",";
}

function columnsOf(header: readonly string[]): (ImportColumn | null)[] {
  const names = header.map((name) => name.trim().toLowerCase());
  const known = new Set<string>([...IMPORT_COLUMNS, ...EXPORT_ONLY_COLUMNS]);
  const unknown = names.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    refuseFile(
      `its header has ${unknown.length === 1 ? "a column" : "columns"} Herald does not know (${unknown
        .map((name) => `"${name.slice(0, 30)}"`)
        .slice(0, 5)
        .join(", ")}). The columns are ${IMPORT_COLUMNS.join(", ")}.`,
    );
  }
  const repeated = names.find((name, index) => names.indexOf(name) !== index);
  if (repeated !== undefined) refuseFile(`its header names the column "${repeated}" twice.`);
  if (!names.includes("text")) {
    refuseFile(`its header has no "text" column. The columns are ${IMPORT_COLUMNS.join(", ")}.`);
  }
  return names.map((name) =>
    (IMPORT_COLUMNS as readonly string[]).includes(name) ? (name as ImportColumn) : null,
  );
}

/**
 * Reads a /content import file: a header row, then up to MAX_IMPORT_ROWS rows, comma or
 * semicolon separated, quoted cells may hold line breaks. A file that cannot be read as such is
 * refused as a whole; a row whose cells do not line up with the header is returned as a problem.
 */
export function readContentCsv(bytes: Uint8Array): CsvRow[] {
  if (bytes.length > MAX_IMPORT_BYTES) {
    refuseFile(`it is larger than ${MAX_IMPORT_BYTES / (1024 * 1024)} MB. Split it into parts.`);
  }
  // One kind of line break: csv-parse counts a CRLF inside quotes as two lines, which would put
  // every later row's line number off; and a post's text needs no carriage returns.
  const text = decode(bytes).replace(/\r\n?/gu, "\n");
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // csv-parse's types do not model `info: true`; the shape is checked instead of assumed.
    const parsed: unknown = parse(text, {
      bom: true,
      delimiter: delimiterOf(text),
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      max_record_size: MAX_RECORD_CHARS,
      // The header and one row too many: enough to refuse a 100,000-row file without reading it.
      to: MAX_IMPORT_ROWS + 2,
    });
    records = parsedRecords.parse(parsed);
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const line = (error as CsvError & { lines?: number }).lines;
    return refuseFile(
      `it is not a CSV file Herald can read${line === undefined ? "" : ` (line ${line}: ${error.message.replace(/^[^:]*: /u, "")})`}.`,
    );
  }
  const [header, ...rows] = records;
  if (header === undefined)
    refuseFile("it is empty. The first row names the columns, e.g. text,link,tags.");
  if (rows.length === 0) refuseFile("it has a header but no rows.");
  if (rows.length > MAX_IMPORT_ROWS) {
    refuseFile(
      `it has more than ${MAX_IMPORT_ROWS.toLocaleString("en-US")} rows. Split it into parts.`,
    );
  }
  const columns = columnsOf(header.record);
  return rows.map(({ record, info }): CsvRow => {
    // csv-parse counts the line a record ends on; a quoted cell's line breaks move its start up.
    const breaks = record.reduce((sum, cell) => sum + cell.split("\n").length - 1, 0);
    const line = info.lines - breaks;
    if (record.length !== columns.length) {
      return {
        line,
        problem: `it has ${record.length} cells where the header has ${columns.length} (a separator or quote out of place?)`,
      };
    }
    const cells: Partial<Record<ImportColumn, string>> = {};
    record.forEach((cell, index) => {
      const column = columns[index];
      if (column !== null && column !== undefined) cells[column] = unescapeFormula(cell.trim());
    });
    return { line, cells };
  });
}

/**
 * The start of a cell /content export escaped (src/bot/csv.ts puts a ' before a cell a spreadsheet
 * would run as a formula, and render/library-csv.ts one more before a cell that already starts
 * with quotes and such a character), so the import takes exactly one quote off again.
 */
export const ESCAPED_FORMULA = /^'+[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/u;

function unescapeFormula(value: string): string {
  return ESCAPED_FORMULA.test(value) ? value.slice(1) : value;
}

/** The fields of one CSV row, read; the library checks them as it checks /content add. */
export interface CsvItemFields {
  text: string;
  link?: string | undefined;
  media: string[];
  evergreen?: boolean | undefined;
  tags?: string | undefined;
  expiresOn?: string | undefined;
  maxUses?: number | undefined;
}

const TRUE = new Set(["true", "yes", "y", "1"]);
const FALSE = new Set(["false", "no", "n", "0"]);

/** A row's cells as item fields; a cell that is not what its column takes is refused. */
export function csvItemFields(cells: Partial<Record<ImportColumn, string>>): CsvItemFields {
  const given = (column: ImportColumn) => {
    const value = cells[column];
    return value === undefined || value === "" ? undefined : value;
  };
  const evergreen = given("evergreen")?.toLowerCase();
  if (evergreen !== undefined && !TRUE.has(evergreen) && !FALSE.has(evergreen)) {
    throw new DomainError(
      "invalid_input",
      `evergreen is "${evergreen.slice(0, 20)}"; write true or false.`,
    );
  }
  const maxUses = given("max_uses");
  if (maxUses !== undefined && !/^\d{1,9}$/u.test(maxUses)) {
    throw new DomainError(
      "invalid_input",
      `max_uses is "${maxUses.slice(0, 20)}"; write a whole number.`,
    );
  }
  const media = (given("media_url") ?? "").split(/\s+/u).filter((url) => url.length > 0);
  if (media.length > MAX_ITEM_MEDIA) {
    throw new DomainError(
      "invalid_input",
      `media_url has ${media.length} URLs; X takes at most ${MAX_ITEM_MEDIA}.`,
    );
  }
  return {
    text: given("text") ?? "",
    link: given("link"),
    media: media.map(parseMediaUrl),
    evergreen: evergreen === undefined ? undefined : TRUE.has(evergreen),
    tags: given("tags"),
    expiresOn: given("expires_on"),
    maxUses: maxUses === undefined ? undefined : Number(maxUses),
  };
}

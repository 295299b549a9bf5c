/**
 * CSV files Herald hands to people (the report's per-post rows, the content library's export):
 * always through here, so no cell can run as a spreadsheet formula when the file is opened.
 *
 * A text cell starting with = + - @, a tab or a carriage return (or their full-width forms) is
 * what Excel, LibreOffice and Google Sheets may evaluate (OWASP "CSV Injection"); csv-stringify's
 * `escape_formulas` puts a single quote in front of it, which spreadsheets show as plain text.
 * Numbers are left alone: -0.25 is a number, not a formula.
 */
import { stringify } from "csv-stringify/sync";

export interface CsvColumn<Row> {
  header: string;
  /** The cell: text, a number, or null for an empty cell. */
  value(row: Row): string | number | null;
}

/**
 * A header line and one line per row, formula cells escaped. `bom`: start with a UTF-8 byte order
 * mark, which Excel needs to read non-ASCII text (€, é, emoji) correctly.
 */
export function formulaSafeCsv<Row>(
  columns: readonly CsvColumn<Row>[],
  rows: readonly Row[],
  options: { bom?: boolean } = {},
): string {
  return stringify(
    rows.map((row) => columns.map((column) => column.value(row))),
    {
      header: true,
      columns: columns.map((column) => column.header),
      escape_formulas: true,
      bom: options.bom ?? false,
    },
  );
}

import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { type CsvColumn, formulaSafeCsv } from "../../src/bot/csv.ts";

interface Row {
  text: string;
  amount: number | null;
}
const columns: CsvColumn<Row>[] = [
  { header: "text", value: (row) => row.text },
  { header: "amount", value: (row) => row.amount },
];

function cells(csv: string): string[][] {
  return parse(csv, { bom: true }) as string[][];
}

describe("formula-safe CSV", () => {
  it("given text cells starting with = + - @, a tab, a carriage return or a full-width =, prefixes a quote so no spreadsheet evaluates them", () => {
    const hostile = [
      '=HYPERLINK("https://evil.example","open")',
      "+1+2",
      "-2+3+cmd|' /C calc'!A0",
      "@SUM(A1:A2)",
      "\t=1+1",
      "\r=1+1",
      "＝1+1",
    ];
    const csv = formulaSafeCsv(
      columns,
      hostile.map((text) => ({ text, amount: 1 })),
    );
    expect(
      cells(csv)
        .slice(1)
        .map(([text]) => text),
    ).toEqual(hostile.map((text) => `'${text}`));
  });

  it("leaves ordinary text, text with a formula character inside it and negative numbers as they are; an empty cell for null", () => {
    const csv = formulaSafeCsv(columns, [
      { text: "Coffee grinder, 20% off = a bargain", amount: -0.25 },
      { text: 'Says "hello"\non two lines', amount: null },
    ]);
    expect(cells(csv)).toEqual([
      ["text", "amount"],
      ["Coffee grinder, 20% off = a bargain", "-0.25"],
      ['Says "hello"\non two lines', ""],
    ]);
  });

  it("given bom, starts with the UTF-8 byte order mark spreadsheets need for non-ASCII text", () => {
    expect(formulaSafeCsv(columns, [], { bom: true }).startsWith("\uFEFFtext,amount")).toBe(true);
    expect(formulaSafeCsv(columns, []).startsWith("text,amount")).toBe(true);
  });
});

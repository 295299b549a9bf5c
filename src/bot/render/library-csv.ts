import { ESCAPED_FORMULA, EXPORT_ONLY_COLUMNS, IMPORT_COLUMNS } from "../../domain/content-csv.ts";
import type { ContentItem, ItemPerformance } from "../../domain/content-items.ts";
import { type CsvColumn, formulaSafeCsv } from "../csv.ts";

interface LibraryRow {
  item: ContentItem;
  earned: ItemPerformance;
}

/**
 * A text cell as the import must read it back: a text that itself starts with quotes and a
 * formula character gets one quote more than formulaSafeCsv would give it, so taking one quote
 * off at import is always right.
 */
function text(value: string | null): string | null {
  return value !== null && ESCAPED_FORMULA.test(value) ? `'${value}` : value;
}

/** Every column of the export, in order: the import's columns first, so the file imports again. */
const COLUMNS: Record<
  (typeof IMPORT_COLUMNS)[number] | (typeof EXPORT_ONLY_COLUMNS)[number],
  CsvColumn<LibraryRow>["value"]
> = {
  text: ({ item }) => text(item.text),
  link: ({ item }) => item.link,
  // Uploaded files live in Herald's data folder, not at an address: only URLs are written.
  media_url: ({ item }) => item.media.filter((media) => /^https?:\/\//u.test(media)).join(" "),
  evergreen: ({ item }) => String(item.evergreen),
  tags: ({ item }) => item.tags.join(" "),
  expires_on: ({ item }) => item.expiresOn,
  max_uses: ({ item }) => item.maxUses,
  id: ({ item }) => item.id,
  uses: ({ item }) => item.uses,
  last_used: ({ item }) => item.lastUsedAt?.toISOString() ?? null,
  impressions: ({ earned }) => earned.impressions,
  clicks: ({ earned }) => earned.clicks,
  ctr: ({ earned }) =>
    earned.impressions === 0 ? null : Number((earned.clicks / earned.impressions).toFixed(4)),
};

/** /content export's file: one row per item, formula cells escaped, with a BOM for Excel. */
export function libraryCsv(
  items: readonly ContentItem[],
  performance: ReadonlyMap<number, ItemPerformance>,
): string {
  const columns = [...IMPORT_COLUMNS, ...EXPORT_ONLY_COLUMNS].map((header) => ({
    header,
    value: COLUMNS[header],
  }));
  const rows = items.map((item) => ({
    item,
    earned: performance.get(item.id) ?? { impressions: 0, clicks: 0 },
  }));
  return formulaSafeCsv(columns, rows, { bom: true });
}

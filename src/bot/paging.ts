import { ActionRowBuilder, ButtonBuilder, ButtonStyle } from "discord.js";
import type { Reply } from "./context.ts";

/** Entries on one page of a list (design.md section 5). */
export const PAGE_SIZE = 10;

/** Discord's limit for a message's content. */
const MAX_CONTENT = 2000;

/**
 * Where the page asked for starts. A position at or past the end (the list shrank since the
 * button was made) shows the last page instead of an empty one.
 */
export function pageStart(offset: number, total: number): number {
  if (offset < total) return offset;
  return Math.max(0, Math.floor((total - 1) / PAGE_SIZE) * PAGE_SIZE);
}

export interface ListPage {
  /** What is listed, plural and capitalised: "Posts". */
  noun: string;
  /** The filters in force, shown after the position: ["Desk Lamps", "Approved"]. */
  filters: readonly string[];
  /** The answer when nothing matches at all. */
  empty: string;
  total: number;
  /** The position of the first entry shown, as pageStart() gives it. */
  offset: number;
  /** The rendered entries of this page. */
  entries: readonly string[];
  /** Between entries: "\n" for one-line entries, "\n\n" for blocks. */
  separator: string;
  /** The custom id of the button that shows the page starting at `offset`. */
  idAt(offset: number): string;
}

/** One page as a message: "Posts 11–20 of 45", the entries, Previous / Next (disabled at the ends). */
export function pageReply(page: ListPage): Reply {
  // No components: a page turned on a list that emptied meanwhile must drop its old buttons.
  if (page.total === 0) return { content: page.empty, components: [] };
  const last = page.offset + page.entries.length;
  const heading = [`**${page.noun} ${page.offset + 1}–${last} of ${page.total}**`, ...page.filters]
    .join(" · ")
    .slice(0, 300);
  const entries = fitToBudget(page.entries, page.separator, MAX_CONTENT - heading.length - 1);
  const previous = new ButtonBuilder()
    .setCustomId(page.idAt(Math.max(0, page.offset - PAGE_SIZE)))
    .setLabel("Previous")
    .setStyle(ButtonStyle.Secondary)
    .setDisabled(page.offset === 0);
  const next = new ButtonBuilder()
    .setCustomId(page.idAt(page.offset + PAGE_SIZE))
    .setLabel("Next")
    .setStyle(ButtonStyle.Secondary)
    .setDisabled(last >= page.total);
  return {
    content: `${heading}\n${entries.join(page.separator)}`,
    components: [new ActionRowBuilder<ButtonBuilder>().addComponents(previous, next)],
    // Entries quote names and post texts people typed: none of them may ping anyone.
    allowedMentions: { parse: [] },
  };
}

/**
 * The entries, each cut to an equal share of `budget` when together they are too long (a
 * campaign's link may be 2,048 characters), so every entry of the page stays visible.
 */
function fitToBudget(entries: readonly string[], separator: string, budget: number): string[] {
  const length = entries.join(separator).length;
  if (length <= budget) return [...entries];
  const share = Math.floor((budget - separator.length * (entries.length - 1)) / entries.length);
  return entries.map((entry) => (entry.length <= share ? entry : `${entry.slice(0, share - 1)}…`));
}

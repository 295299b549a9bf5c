import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  type InteractionEditReplyOptions,
} from "discord.js";
import type { ImportPreview } from "../../domain/content-import.ts";
import type { ContentItem, ItemCheck } from "../../domain/content-items.ts";
import type { ItemDescription } from "../../domain/content-library.ts";
import { MAX_WEIGHTED_LENGTH } from "../../domain/content-policy.ts";
import { contentImportButtonId } from "../custom-ids.ts";
import { discordTime } from "./post-message.ts";

/** Discord's limit for a message's content, with room for a heading. */
const MAX_CONTENT = 1900;
/** Refusals listed under an import preview; the rest are counted. */
const LISTED_REFUSALS = 10;

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString("en-US")} ${count === 1 ? one : many}`;
}

function flat(text: string, max: number): string {
  const line = text.replace(/\s+/gu, " ").trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

/** "4 variants, the longest 59 of 280 characters as X counts them." */
export function checkSummary(check: ItemCheck): string {
  const variants = check.variants === 1 ? "One variant" : plural(check.variants, "variant");
  return `${variants}, the longest ${check.longestWeightedLength} of ${MAX_WEIGHTED_LENGTH} characters as X counts them.`;
}

function usesOf(item: ContentItem): string {
  if (!item.evergreen) return item.uses === 0 ? "single use, not used yet" : "single use, used";
  const max = item.maxUses === null ? "" : ` of ${item.maxUses}`;
  return `evergreen, used ${item.uses}${max} ${item.uses === 1 && max === "" ? "time" : "times"}`;
}

/** One entry of /content list. */
export function itemLine(item: ContentItem): string {
  const tags = item.tags.length === 0 ? "" : ` · ${item.tags.map((tag) => `#${tag}`).join(" ")}`;
  return `#${item.id} · ${usesOf(item)}${tags} · ${flat(item.text, 90)}`;
}

/** /content show: everything about the item, its text last and as typed. */
export function itemDetails({ item, campaign, check }: ItemDescription): string {
  const facts = [
    `**Item #${item.id}** of ${campaign.name} · ${usesOf(item)}`,
    item.lastUsedAt === null ? null : `Last used ${discordTime(item.lastUsedAt, "R")}`,
    `Link: ${item.link ?? (campaign.defaultLink === null ? "none" : "the campaign's")}`,
    item.tags.length === 0 ? null : `Tags: ${item.tags.join(", ")}`,
    item.expiresOn === null ? null : `Used until ${item.expiresOn} (${campaign.timezone})`,
    item.media.length === 0 ? null : `Media: ${plural(item.media.length, "file")}`,
    "problem" in check
      ? `⚠️ No longer passes the campaign's rules, so autopilot leaves it out: ${check.problem}`
      : checkSummary(check),
  ].filter((line): line is string => line !== null);
  const head = facts.join("\n");
  return `${head}\nText:\n${item.text}`.slice(0, MAX_CONTENT);
}

/** /content import's answer: counts, the first refusals by line, and the Import button. */
export function importPreviewReply(preview: ImportPreview): InteractionEditReplyOptions {
  const { campaign, fileName, valid, refused } = preview;
  const lines = [
    `**${flat(fileName, 80)}** for ${campaign.name}: ${plural(valid, "row")} can be imported, ${plural(refused.length, "row")} ${refused.length === 1 ? "is" : "are"} refused.`,
  ];
  if (refused.length > 0) {
    lines.push(
      ...refused
        .slice(0, LISTED_REFUSALS)
        .map((refusal) => `- line ${refusal.line}: ${flat(refusal.reason, 140)}`),
    );
    if (refused.length > LISTED_REFUSALS) {
      lines.push(`…and ${plural(refused.length - LISTED_REFUSALS, "more refused row")}.`);
    }
  }
  if (preview.id === null) {
    lines.push("Nothing was imported. Fix the file and run /content import again.");
    return { content: lines.join("\n").slice(0, MAX_CONTENT), components: [] };
  }
  lines.push(
    `Nothing is imported yet: press Import to add the ${plural(valid, "valid row")} in one go (the button works for an hour).`,
  );
  return {
    content: lines.join("\n").slice(0, MAX_CONTENT),
    components: [
      new ActionRowBuilder<ButtonBuilder>().addComponents(
        new ButtonBuilder()
          .setCustomId(contentImportButtonId(preview.id))
          .setLabel(`Import ${plural(valid, "row")}`)
          .setStyle(ButtonStyle.Primary),
      ),
    ],
  };
}

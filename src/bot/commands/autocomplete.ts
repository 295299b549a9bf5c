import type { ApplicationCommandOptionChoiceData } from "discord.js";
import type { ContentItem } from "../../domain/content-items.ts";
import type { PostStatus } from "../../domain/post-lifecycle.ts";
import type { Post } from "../../domain/posts.ts";
import type { BotContext } from "../context.ts";

/** Discord shows at most 25 choices. */
const MAX_CHOICES = 25;

/**
 * Campaigns whose name contains what was typed, in any case, each name once (an archived
 * campaign may share its name with a live one; the name finds the live one). `liveOnly` leaves
 * archived campaigns out, for subcommands that cannot act on them.
 */
export async function campaignChoices(
  ctx: BotContext,
  typed: string,
  { liveOnly = false }: { liveOnly?: boolean } = {},
): Promise<ApplicationCommandOptionChoiceData<string>[]> {
  const needle = typed.trim().toLowerCase();
  const names = new Set(
    (await ctx.campaigns.list(ctx.guildId))
      .filter((campaign) => !liveOnly || campaign.status !== "archived")
      .filter((campaign) => campaign.name.toLowerCase().includes(needle))
      .map((campaign) => campaign.name),
  );
  return [...names].slice(0, MAX_CHOICES).map((name) => ({ name, value: name }));
}

/** The niches the guild's campaigns use, for /report's niche option. */
export async function nicheChoices(
  ctx: BotContext,
  typed: string,
): Promise<ApplicationCommandOptionChoiceData<string>[]> {
  const needle = typed.trim().toLowerCase();
  const niches = new Set((await ctx.campaigns.list(ctx.guildId)).map((campaign) => campaign.niche));
  return [...niches]
    .filter((niche) => niche.includes(needle))
    .sort()
    .slice(0, MAX_CHOICES)
    .map((niche) => ({ name: niche, value: niche }));
}

/**
 * The posts, by number or text, that are in one of `statuses`: those the subcommand can act on,
 * so a choice never leads to "cannot be edited".
 */
export async function postChoices(
  ctx: BotContext,
  typed: string,
  statuses: readonly PostStatus[],
): Promise<ApplicationCommandOptionChoiceData<number>[]> {
  const needle = typed.trim().replace(/^#/, "");
  const byId = /^\d{1,15}$/.test(needle) ? Number(needle) : null;
  const newest = await ctx.posts.list({
    guildId: ctx.guildId,
    statuses,
    limit: MAX_CHOICES,
    ...(byId === null ? { search: needle } : {}),
  });
  if (byId === null) return newest.map(postChoice);
  // The post with exactly that number first, however old; then the newest whose number starts so.
  const exact = await ctx.posts.list({ guildId: ctx.guildId, statuses, id: byId, limit: 1 });
  const startingSo = newest.filter(
    (post) => post.id !== byId && String(post.id).startsWith(needle),
  );
  return [...exact, ...startingSo].slice(0, MAX_CHOICES).map(postChoice);
}

function postChoice(post: Post): ApplicationCommandOptionChoiceData<number> {
  return {
    name: `#${post.id} · ${post.status} · ${post.text.replace(/\s+/g, " ").slice(0, 70)}`,
    value: post.id,
  };
}

/**
 * The guild's library items, by number or text (every subcommand with `item` can act on any
 * item), each named with its campaign.
 */
export async function itemChoices(
  ctx: BotContext,
  typed: string,
): Promise<ApplicationCommandOptionChoiceData<number>[]> {
  const needle = typed.trim().replace(/^#/, "");
  // Nine digits stay within the database's 32-bit ids.
  const byId = /^\d{1,9}$/.test(needle) ? Number(needle) : null;
  const newest = await ctx.content.list({
    guildId: ctx.guildId,
    limit: MAX_CHOICES,
    ...(byId === null ? { search: needle } : {}),
  });
  const exact =
    byId === null ? [] : await ctx.content.list({ guildId: ctx.guildId, id: byId, limit: 1 });
  const items = [
    ...exact,
    ...newest.filter(
      (item) => byId === null || (item.id !== byId && String(item.id).startsWith(needle)),
    ),
  ].slice(0, MAX_CHOICES);
  const names = new Map((await ctx.campaigns.list(ctx.guildId)).map((c) => [c.id, c.name]));
  return items.map((item) => itemChoice(item, names.get(item.campaignId) ?? "?"));
}

function itemChoice(
  item: ContentItem,
  campaign: string,
): ApplicationCommandOptionChoiceData<number> {
  const label = `#${item.id} · ${campaign} · ${item.text.replace(/\s+/g, " ")}`;
  return { name: label.length <= 100 ? label : `${label.slice(0, 99)}…`, value: item.id };
}

/** The connected X accounts whose handle contains what was typed, for every `account` option. */
export async function accountChoices(
  ctx: BotContext,
  typed: string,
): Promise<ApplicationCommandOptionChoiceData<string>[]> {
  const needle = typed.trim().replace(/^@/, "").toLowerCase();
  return (await ctx.accounts.list(ctx.guildId))
    .filter((account) => account.handle.includes(needle))
    .slice(0, MAX_CHOICES)
    .map((account) => ({ name: `@${account.handle}`, value: account.handle }));
}

/** IANA names, with UTC (which Intl leaves out of its list because it is an alias). */
const TIME_ZONES = ["UTC", ...Intl.supportedValuesOf("timeZone")];

/** IANA time zones containing what was typed ("berl" → Europe/Berlin), for every `timezone` option. */
export function timezoneChoices(typed: string): ApplicationCommandOptionChoiceData<string>[] {
  const needle = typed.trim().toLowerCase().replace(/\s+/g, "_");
  return TIME_ZONES.filter((zone) => zone.toLowerCase().includes(needle))
    .slice(0, MAX_CHOICES)
    .map((zone) => ({ name: zone, value: zone }));
}

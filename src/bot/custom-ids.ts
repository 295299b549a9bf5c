import { z } from "zod";
import { TAG } from "../domain/content-items.ts";
import type { ExperimentMetric } from "../domain/experiment-verdict.ts";
import { POST_STATUSES, type PostStatus } from "../domain/post-lifecycle.ts";

/**
 * Buttons and modals carry what they act on in their custom id (`post:approve:42`), so they keep
 * working after a restart: the state is in the database, not in memory.
 */
export const POST_ACTIONS = ["approve", "reject", "edit", "reschedule", "retry"] as const;
export type PostAction = (typeof POST_ACTIONS)[number];

export function postButtonId(action: PostAction, postId: number): string {
  return `post:${action}:${postId}`;
}

/** The modal a button opens, answering to the same post. */
export function postModalId(action: PostAction, postId: number): string {
  return `post-modal:${action}:${postId}`;
}

export const X_CONNECT_MODAL_ID = "x-connect";

/**
 * The /post queue form. Its id carries the id of the command that opened it: every field travels
 * in the form itself (so it survives a restart), and a form delivered twice queues one post.
 */
export function queueFormId(formId: string): string {
  return `post-queue:${formId}`;
}

/** The form id in a queue form's custom id; null when it is not one. */
export function parseQueueFormId(customId: string): string | null {
  return /^post-queue:(\d{1,25})$/.exec(customId)?.[1] ?? null;
}

export interface PostTarget {
  kind: "button" | "modal";
  action: PostAction;
  postId: number;
}

/** Parses a custom id; null means "not one of Herald's post ids". */
export function parsePostTarget(customId: string): PostTarget | null {
  const match = /^(post|post-modal):([a-z]+):(\d{1,12})$/.exec(customId);
  if (match === null) return null;
  const [, prefix, action, id] = match;
  if (!POST_ACTIONS.includes(action as PostAction)) return null;
  return {
    kind: prefix === "post" ? "button" : "modal",
    action: action as PostAction,
    postId: Number(id),
  };
}

/**
 * A list's Previous / Next button: which list, its filters and the position of the page it
 * shows, so paging needs no memory of the first command (and survives a restart).
 */
export type PageTarget = PostsPageTarget | CampaignsPageTarget | ContentPageTarget;

export interface PostsPageTarget {
  list: "posts";
  campaignId: number | null;
  status: PostStatus | null;
  /** The position of the page's first entry. */
  offset: number;
}

export interface CampaignsPageTarget {
  list: "campaigns";
  offset: number;
}

export interface ContentPageTarget {
  list: "content";
  campaignId: number;
  tag: string | null;
  offset: number;
}

/** "-" stands for "no filter": a filter is never empty, so the two cannot be confused. */
const NO_FILTER = "-";

export function pageButtonId(target: PageTarget): string {
  if (target.list === "campaigns") return `page:campaigns:${target.offset}`;
  if (target.list === "content") {
    return `page:content:${target.campaignId}:${target.tag ?? NO_FILTER}:${target.offset}`;
  }
  const campaign = target.campaignId ?? NO_FILTER;
  const status = target.status ?? NO_FILTER;
  return `page:posts:${campaign}:${status}:${target.offset}`;
}

/** A number as Herald writes it: digits only, no sign, leading zero or exponent. */
const digits = (pattern: RegExp) => z.string().regex(pattern).transform(Number);
const offset = digits(/^(0|[1-9]\d{0,5})$/);
const id = digits(/^[1-9]\d{0,11}$/);
const campaignId = z.union([z.literal(NO_FILTER).transform(() => null), id]);
// A tag never is "-": tags start with a letter or digit.
const tag = z.union([z.literal(NO_FILTER).transform(() => null), z.string().max(30).regex(TAG)]);
const status = z.union([z.literal(NO_FILTER).transform(() => null), z.enum(POST_STATUSES)]);

const pageIdParts = z.union([
  z
    .tuple([z.literal("page"), z.literal("posts"), campaignId, status, offset])
    .transform(([, , campaignId, status, offset]) => ({
      list: "posts" as const,
      campaignId,
      status,
      offset,
    })),
  z
    .tuple([z.literal("page"), z.literal("content"), id, tag, offset])
    .transform(([, , campaignId, tag, offset]) => ({
      list: "content" as const,
      campaignId,
      tag,
      offset,
    })),
  z
    .tuple([z.literal("page"), z.literal("campaigns"), offset])
    .transform(([, , offset]) => ({ list: "campaigns" as const, offset })),
]);

/**
 * Parses a page button's id; null means "not a page id Herald made" (another kind of id, or
 * one that was altered), which the dispatcher answers as a button no longer in use.
 */
export function parsePageTarget(customId: string): PageTarget | null {
  const parsed = pageIdParts.safeParse(customId.split(":"));
  return parsed.success ? parsed.data : null;
}

/**
 * Actions of a campaign's buttons (the campaign's id travels in the custom id): confirming an
 * archive, and rescheduling all its missed posts to the next free slots.
 */
export const CAMPAIGN_ACTIONS = ["archive", "reschedule"] as const;
export type CampaignAction = (typeof CAMPAIGN_ACTIONS)[number];

export interface CampaignTarget {
  action: CampaignAction;
  campaignId: number;
}

export function campaignButtonId(action: CampaignAction, campaignId: number): string {
  return `campaign:${action}:${campaignId}`;
}

/** Parses a campaign button's custom id; null means "not one of Herald's campaign ids". */
export function parseCampaignTarget(customId: string): CampaignTarget | null {
  const match = /^campaign:([a-z]+):(\d{1,12})$/.exec(customId);
  if (match === null) return null;
  const [, action, id] = match;
  if (!CAMPAIGN_ACTIONS.includes(action as CampaignAction)) return null;
  return { action: action as CampaignAction, campaignId: Number(id) };
}

/** The Confirm button of /x disconnect; the account's id travels in the custom id. */
export function xDisconnectButtonId(xAccountId: number): string {
  return `x:disconnect:${xAccountId}`;
}

/** Parses a /x disconnect button's custom id: the account's id, or null for any other id. */
export function parseXDisconnectTarget(customId: string): { xAccountId: number } | null {
  const match = /^x:disconnect:([1-9]\d{0,11})$/.exec(customId);
  return match === null ? null : { xAccountId: Number(match[1]) };
}

/** The buttons of autopilot's digest; the digest's id travels in the custom id. */
export const AUTOPILOT_ACTIONS = ["approve", "review"] as const;
export type AutopilotAction = (typeof AUTOPILOT_ACTIONS)[number];

export function autopilotButtonId(action: AutopilotAction, digestId: number): string {
  return `autopilot:${action}:${digestId}`;
}

/** Parses a digest button's custom id; null for any other id. */
export function parseAutopilotTarget(
  customId: string,
): { action: AutopilotAction; digestId: number } | null {
  const match = /^autopilot:([a-z]+):([1-9]\d{0,11})$/.exec(customId);
  if (match === null || !AUTOPILOT_ACTIONS.includes(match[1] as AutopilotAction)) return null;
  return { action: match[1] as AutopilotAction, digestId: Number(match[2]) };
}

/** The Import button under a /content import preview; the stored preview's id travels in it. */
export function contentImportButtonId(importId: number): string {
  return `content:import:${importId}`;
}

/** The preview id in an Import button's custom id; null for any other id. */
export function parseContentImportTarget(customId: string): { importId: number } | null {
  const match = /^content:import:([1-9]\d{0,11})$/.exec(customId);
  return match === null ? null : { importId: Number(match[1]) };
}

/** The options of /content add that its text form has no field for. */
export interface ContentFormOptions {
  evergreen: boolean | null;
  maxUses: number | null;
}

/**
 * The /content add form: the command's id, and the evergreen and max_uses options it was given
 * (the form's five fields hold the text, campaign, link, tags and expiry).
 */
export function contentFormId(formId: string, options: ContentFormOptions): string {
  const evergreen = options.evergreen === null ? NO_FILTER : options.evergreen ? "1" : "0";
  return `content-add:${formId}:${evergreen}:${options.maxUses ?? NO_FILTER}`;
}

/** The parts of a /content add form's custom id; null when it is not one. */
export function parseContentFormId(
  customId: string,
): ({ formId: string } & ContentFormOptions) | null {
  const match = /^content-add:(\d{1,25}):([01-]):(-|[1-9]\d{0,5})$/.exec(customId);
  if (match === null) return null;
  const [, formId = "", evergreen, maxUses] = match;
  return {
    formId,
    evergreen: evergreen === NO_FILTER ? null : evergreen === "1",
    maxUses: maxUses === NO_FILTER ? null : Number(maxUses),
  };
}

/**
 * The /experiment create form: the campaign, metric and planned sample travel in its id, so the
 * form needs no memory of the command ("-" for a sample left to the default).
 */
export interface ExperimentFormTarget {
  campaignId: number;
  metric: ExperimentMetric;
  sample: number | null;
}

export function experimentFormId(target: ExperimentFormTarget): string {
  return `experiment-form:${target.campaignId}:${target.metric}:${target.sample ?? NO_FILTER}`;
}

/** Parses an experiment form's custom id; null for any other id. */
export function parseExperimentFormId(customId: string): ExperimentFormTarget | null {
  const match = /^experiment-form:([1-9]\d{0,11}):(ctr|conversion|epc):(-|[1-9]\d{0,7})$/.exec(
    customId,
  );
  if (match === null) return null;
  const [, campaign, metric, sample] = match;
  return {
    campaignId: Number(campaign),
    metric: metric as ExperimentMetric,
    sample: sample === NO_FILTER ? null : Number(sample),
  };
}

/** "Use B in the library" under an experiment's verdict; the experiment's id travels in it. */
export function experimentAdoptButtonId(experimentId: number): string {
  return `experiment:adopt:${experimentId}`;
}

/** The experiment id in a "Use … in the library" button's custom id; null for any other id. */
export function parseExperimentAdoptTarget(customId: string): { experimentId: number } | null {
  const match = /^experiment:adopt:([1-9]\d{0,11})$/.exec(customId);
  return match === null ? null : { experimentId: Number(match[1]) };
}

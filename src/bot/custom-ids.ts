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

/** Actions a campaign button confirms; the campaign's id travels in the custom id. */
export const CAMPAIGN_ACTIONS = ["archive"] as const;
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

import { DomainError } from "./errors.ts";

/** design.md section 3. Only `approved` posts are ever published. */
export const POST_STATUSES = [
  "pending_approval",
  "approved",
  "publishing",
  "published",
  "rejected",
  "cancelled",
  "failed",
  "missed",
] as const;
export type PostStatus = (typeof POST_STATUSES)[number];

export type PostEvent =
  | "approve"
  | "reject"
  | "edit"
  | "reschedule"
  | "cancel"
  | "claim"
  | "publish_succeeded"
  | "publish_failed"
  | "release"
  | "retry"
  | "mark_missed";

/**
 * The whole lifecycle as one table: event → (from → to). A move that is not listed is refused.
 * `edit` sends an approved (or rejected) post back to pending approval so nothing reaches X
 * without an approver having seen its final text. `release` hands a claimed post back to the
 * runner after a transient X error or a shutdown; `retry` is the team asking again after `failed`.
 */
const TRANSITIONS: Readonly<Record<PostEvent, Partial<Record<PostStatus, PostStatus>>>> = {
  approve: { pending_approval: "approved" },
  reject: { pending_approval: "rejected" },
  edit: {
    pending_approval: "pending_approval",
    approved: "pending_approval",
    rejected: "pending_approval",
    // A post X refused, or one that missed its time, is fixed by editing it; it is approved again.
    failed: "pending_approval",
    missed: "pending_approval",
  },
  reschedule: { pending_approval: "pending_approval", approved: "approved", missed: "approved" },
  cancel: {
    pending_approval: "cancelled",
    approved: "cancelled",
    failed: "cancelled",
    missed: "cancelled",
  },
  claim: { approved: "publishing" },
  publish_succeeded: { publishing: "published" },
  publish_failed: { publishing: "failed" },
  release: { publishing: "approved" },
  retry: { failed: "approved" },
  mark_missed: { approved: "missed" },
};

const DESCRIPTIONS: Readonly<Record<PostStatus, string>> = {
  pending_approval: "is waiting for approval",
  approved: "is already approved",
  publishing: "is being published right now",
  published: "is already published",
  rejected: "was rejected",
  cancelled: "was cancelled",
  failed: "failed to publish",
  missed: "missed its time",
};

export function canTransition(from: PostStatus, event: PostEvent): boolean {
  return TRANSITIONS[event][from] !== undefined;
}

/** The statuses `event` can move a post out of: what a subcommand offers to act on. */
export function statusesAllowing(event: PostEvent): PostStatus[] {
  return POST_STATUSES.filter((status) => canTransition(status, event));
}

/** The status `event` moves a post in `from` to, or a typed refusal a person can read. */
export function nextStatus(from: PostStatus, event: PostEvent, postId?: number): PostStatus {
  const to = TRANSITIONS[event][from];
  if (to === undefined) {
    const subject = postId === undefined ? "This post" : `Post #${postId}`;
    throw new DomainError(
      "invalid_transition",
      `${subject} ${DESCRIPTIONS[from]}, so it cannot be ${pastTense(event)}.`,
      { from, event },
    );
  }
  return to;
}

/** The refusal for a transition that lost: someone else moved the post out of `from` first. */
export function movedMeanwhile(postId: number, from: PostStatus, to: PostStatus): DomainError {
  return new DomainError(
    "invalid_transition",
    `Post #${postId} changed while you were working on it; look at it again with /post list.`,
    { from, to },
  );
}

function pastTense(event: PostEvent): string {
  switch (event) {
    case "approve":
      return "approved";
    case "reject":
      return "rejected";
    case "edit":
      return "edited";
    case "reschedule":
      return "rescheduled";
    case "cancel":
      return "cancelled";
    case "claim":
      return "claimed for publishing";
    case "publish_succeeded":
      return "marked published";
    case "publish_failed":
      return "marked failed";
    case "release":
      return "released for another attempt";
    case "retry":
      return "retried";
    case "mark_missed":
      return "marked missed";
  }
}

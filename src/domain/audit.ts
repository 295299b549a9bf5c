/**
 * Every state change carries an audit note; the repository writes it in the same transaction as
 * the change and fills in the target, so a change and its record can never disagree.
 */
export interface AuditNote {
  /** `discord:<user id>` for people, `scheduler` for the runner. */
  actor: string;
  /** `<entity>.<verb>`, e.g. `post.approved`. */
  action: string;
  payload?: Readonly<Record<string, unknown>>;
}

export const SCHEDULER_ACTOR = "scheduler";

export function discordActor(userId: string): string {
  return `discord:${userId}`;
}

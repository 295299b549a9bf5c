import { type BudgetNotice, usd } from "../domain/x-spend.ts";
import type { Logger } from "../logger.ts";
import type { ApprovalMessages } from "./approval-messages.ts";

interface NotifierDeps {
  approvals: ApprovalMessages;
  guildId: string;
  logger: Logger;
}

/** The URL of a post on x.com; X redirects /i/web/status/<id> when the handle is unknown. */
export function postUrl(handle: string | null, xPostId: string): string {
  return handle === null
    ? `https://x.com/i/web/status/${xPostId}`
    : `https://x.com/${handle}/status/${xPostId}`;
}

/**
 * Messages to the approval channel that no state change writes to the outbox. The runner's own
 * notices (published, failed, missed, account invalid or held) are written with its moves
 * (src/bot/runner-notices.ts).
 */
export function startNotifier(deps: NotifierDeps): {
  /** Tells the team the monthly X budget is 80 % or fully used (x-spend.ts sends each once). */
  budgetNotice(notice: BudgetNotice): void;
} {
  const { approvals, logger } = deps;
  const safely = (work: () => Promise<void>) =>
    void work().catch((error: unknown) => logger.error({ err: error }, "notification failed"));
  return {
    budgetNotice: (notice) =>
      safely(() => approvals.tell(deps.guildId, { content: budgetNoticeText(notice) })),
  };
}

export function budgetNoticeText(notice: BudgetNotice): string {
  const spent = `${usd(notice.spentUsd)} of this month's X budget of ${usd(notice.budgetUsd ?? 0)}`;
  const resets = notice.resetsAt.toISOString().slice(0, 10);
  if (notice.level === "warning") {
    return `Herald has spent ${spent} (80 % or more). At 100 % metric reads stop until ${resets}${notice.stopsPosting ? " and posts are held" : ""}.`;
  }
  return `Herald has spent ${spent}. Metric reads are stopped until ${resets} or until the budget is raised (/settings set x_monthly_budget). ${notice.stopsPosting ? "Posts are held too (x_budget_stops_posting is on)." : "Publishing goes on."}`;
}

/**
 * The X spend ledger and the monthly budget (design.md section 6). Every X call Herald makes is
 * priced here with the one price table (x-prices.ts) and added to its row per UTC day, account
 * and kind. The budget (`x_monthly_budget`, per calendar month in UTC, as X bills) tells the team
 * once at 80 %, once at 100 %; at 100 % metric reads stop until the month ends or the budget is
 * raised, and posting holds too when `x_budget_stops_posting` is on.
 */
import type { TeamNotices } from "./notices.ts";
import type { OutboxDraft } from "./outbox.ts";
import type { Clock } from "./ports.ts";
import type { GuildSettings } from "./settings.ts";
import {
  isPostingKind,
  nextUtcMonth,
  utcDay,
  utcMonth,
  type XCallKind,
  type XPrices,
} from "./x-prices.ts";

/** One priced call (or a batch of billed resources of one kind). */
export interface SpendEntry {
  xAccountId: number;
  kind: XCallKind;
  /** Billed units: requests for writes, resources returned for reads. */
  units: number;
}

export interface SpendRow {
  day: string;
  xAccountId: number;
  kind: XCallKind;
  units: number;
  usd: number;
}

export interface XSpendLedger {
  /**
   * Adds each row's units and dollars to the stored row of its day, account and kind. With
   * `watch`, in the same transaction: the month's total after the rows, the budget notice it
   * makes due (`watch.due`), marked as sent on the guild's settings (of several callers passing
   * the threshold together, one marks it) and its messages written. Returns the notice written.
   */
  add(rows: readonly SpendRow[], watch?: BudgetWatch): Promise<BudgetNotice | null>;
  /** Rows of the guild's accounts (or only `xAccountIds`) from `fromDay` to `toDay`, inclusive. */
  rows(filter: {
    guildId: string;
    xAccountIds?: readonly number[] | undefined;
    fromDay: string;
    toDay: string;
  }): Promise<SpendRow[]>;
}

export type BudgetLevel = "warning" | "reached";

/** What the ledger needs to tell the team, in the transaction that crossed a threshold. */
export interface BudgetWatch {
  guildId: string;
  /** The UTC month whose total counts ("2026-11"). */
  month: string;
  due(spentUsd: number, budget: BudgetSettings): BudgetDue | null;
  render(notice: BudgetNotice): OutboxDraft[];
}

export type BudgetSettings = Pick<GuildSettings, "xMonthlyBudget" | "xBudgetStopsPosting">;

/** A notice the month's total makes due, and the marks that keep it from being sent twice. */
export interface BudgetDue {
  notice: BudgetNotice;
  /** What the marks are set to: the month and the budget, so raising the budget re-arms both. */
  key: string;
  /**
   * Levels to mark as sent. The notice goes out only if its own level's mark was set by this
   * caller: passing both at once (one large batch) sends only the 100 % notice.
   */
  levels: BudgetLevel[];
}

export interface SpendSplit {
  postingUsd: number;
  readingUsd: number;
}

export function splitSpend(rows: readonly SpendRow[]): SpendSplit {
  let postingUsd = 0;
  let readingUsd = 0;
  for (const row of rows) {
    if (isPostingKind(row.kind)) postingUsd += row.usd;
    else readingUsd += row.usd;
  }
  return { postingUsd, readingUsd };
}

export interface BudgetStatus {
  month: string;
  spentUsd: number;
  budgetUsd: number | null;
  level: BudgetLevel | null;
  stopsPosting: boolean;
  /** When the month ends and reading starts again. */
  resetsAt: Date;
}

export interface BudgetNotice extends BudgetStatus {
  level: BudgetLevel;
}

/** At this share of the budget the team is warned. */
const WARNING_SHARE = 0.8;
/** How long a computed status is reused: the runner asks before every post. */
const STATUS_TTL_MS = 30_000;
/** A post held by the budget is looked at again this often (the budget may be raised). */
const HOLD_RECHECK_MS = 10 * 60_000;

export function budgetLevel(spentUsd: number, budgetUsd: number | null): BudgetLevel | null {
  if (budgetUsd === null) return null;
  // Cents of rounding must not keep reads going past a budget that is used up.
  if (spentUsd >= budgetUsd - 1e-9) return "reached";
  if (spentUsd >= budgetUsd * WARNING_SHARE - 1e-9) return "warning";
  return null;
}

/** The notice due for the month's spend under `budget`, if any. */
export function budgetDue(spentUsd: number, budget: BudgetSettings, now: Date): BudgetDue | null {
  const level = budgetLevel(spentUsd, budget.xMonthlyBudget);
  if (level === null || budget.xMonthlyBudget === null) return null;
  const month = utcMonth(now);
  return {
    notice: {
      month,
      spentUsd,
      budgetUsd: budget.xMonthlyBudget,
      level,
      stopsPosting: budget.xBudgetStopsPosting,
      resetsAt: nextUtcMonth(now),
    },
    key: `${month} ${budget.xMonthlyBudget}`,
    levels: level === "reached" ? ["warning", "reached"] : ["warning"],
  };
}

export interface XSpendDeps {
  guildId: string;
  ledger: XSpendLedger;
  settings: { get(guildId: string): Promise<GuildSettings> };
  prices: XPrices;
  clock: Clock;
  /** The budget notices' messages, written with the spend that crossed 80 % or 100 %. */
  notices: Pick<TeamNotices, "budget">;
  /** Told once per month and budget when spend crosses 80 % and 100 %, once written. */
  onNotice?: (notice: BudgetNotice) => void;
}

export class XSpend {
  private cached: { status: BudgetStatus; at: number } | null = null;

  constructor(private readonly deps: XSpendDeps) {}

  get prices(): XPrices {
    return this.deps.prices;
  }

  /**
   * Prices and stores the calls on today's UTC row and, in the same transaction, tells the team
   * if the month's spend passed a threshold.
   */
  async record(entries: readonly SpendEntry[]): Promise<void> {
    const billed = entries.filter((entry) => entry.units > 0);
    if (billed.length === 0) return;
    const now = this.deps.clock.now();
    const day = utcDay(now);
    const { guildId, notices } = this.deps;
    const notice = await this.deps.ledger.add(
      billed.map((entry) => ({
        day,
        xAccountId: entry.xAccountId,
        kind: entry.kind,
        units: entry.units,
        usd: entry.units * this.deps.prices[entry.kind],
      })),
      {
        guildId,
        month: utcMonth(now),
        due: (spentUsd, budget) => budgetDue(spentUsd, budget, now),
        render: (due) => notices.budget(guildId, due),
      },
    );
    this.cached = null;
    if (notice !== null) this.deps.onNotice?.(notice);
  }

  /** This month's spend against the budget. */
  async status(): Promise<BudgetStatus> {
    const now = this.deps.clock.now();
    if (
      this.cached !== null &&
      now.getTime() - this.cached.at < STATUS_TTL_MS &&
      this.cached.status.month === utcMonth(now)
    ) {
      return this.cached.status;
    }
    const settings = await this.deps.settings.get(this.deps.guildId);
    const month = utcMonth(now);
    const rows = await this.deps.ledger.rows({
      guildId: this.deps.guildId,
      fromDay: `${month}-01`,
      toDay: `${month}-31`,
    });
    const spentUsd = rows.reduce((sum, row) => sum + row.usd, 0);
    const status: BudgetStatus = {
      month,
      spentUsd,
      budgetUsd: settings.xMonthlyBudget,
      level: budgetLevel(spentUsd, settings.xMonthlyBudget),
      stopsPosting: settings.xBudgetStopsPosting,
      resetsAt: nextUtcMonth(now),
    };
    this.cached = { status, at: now.getTime() };
    return status;
  }

  /** False once the month's budget is used up: metric reads wait for the next month. */
  async mayRead(): Promise<boolean> {
    return (await this.status()).level !== "reached";
  }

  /**
   * When a used-up budget holds posting (`x_budget_stops_posting`): until when, and why. Held
   * posts are looked at again every few minutes, so raising the budget releases them.
   */
  async postingHold(now: Date): Promise<{ until: Date; reason: string } | null> {
    const status = await this.status();
    if (status.level !== "reached" || !status.stopsPosting) return null;
    return {
      until: new Date(Math.min(status.resetsAt.getTime(), now.getTime() + HOLD_RECHECK_MS)),
      reason: `this month's X budget of ${usd(status.budgetUsd ?? 0)} is used up (x_budget_stops_posting is on)`,
    };
  }

  /** Forgets the cached status, e.g. after the budget setting changed. */
  forget(): void {
    this.cached = null;
  }
}

export function usd(amount: number): string {
  return `$${amount.toFixed(amount !== 0 && Math.abs(amount) < 1 ? 3 : 2)}`;
}

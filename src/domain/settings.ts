import type { AuditNote } from "./audit.ts";
import { DEFAULT_CURRENCY, parseCurrency } from "./currency.ts";
import { DomainError } from "./errors.ts";
import { assertTimeZone, parseTimes } from "./schedule.ts";

/** Per-guild settings (design.md section 2). */
export interface GuildSettings {
  guildId: string;
  approvalChannelId: string | null;
  reportChannelId: string | null;
  managerRoleId: string | null;
  approverRoleId: string | null;
  timezone: string;
  /** Daily report time, HH:mm in `timezone`. */
  reportTime: string;
  /** How late a post may still go out after a hold; null: the environment's value. */
  lateGraceMinutes: number | null;
  /** When on, the member who queued or last edited a post cannot approve it. */
  requireSecondApprover: boolean;
  /** What Herald may spend on X per calendar month (UTC), in US dollars; null: no cap. */
  xMonthlyBudget: number | null;
  /** When on, a used-up monthly budget holds posting as well as metric reads. */
  xBudgetStopsPosting: boolean;
  /** ISO 4217 code reports show revenue in; other currencies' payouts are shown apart. */
  currency: string;
}

export type SettingsChanges = Partial<Omit<GuildSettings, "guildId">>;

export function defaultSettings(guildId: string): GuildSettings {
  return {
    guildId,
    approvalChannelId: null,
    reportChannelId: null,
    managerRoleId: null,
    approverRoleId: null,
    timezone: "UTC",
    reportTime: "09:00",
    lateGraceMinutes: null,
    requireSecondApprover: false,
    xMonthlyBudget: null,
    xBudgetStopsPosting: false,
    currency: DEFAULT_CURRENCY,
  };
}

export interface SettingsRepository {
  /** The guild's settings, or the defaults when none were saved yet. */
  get(guildId: string): Promise<GuildSettings>;
  update(guildId: string, changes: SettingsChanges, audit: AuditNote): Promise<GuildSettings>;
}

/** Settings that may be unset again: channels and roles, and the grace window (back to the environment's). */
export const CLEARABLE_SETTINGS = [
  "approvalChannelId",
  "reportChannelId",
  "approverRoleId",
  "managerRoleId",
  "lateGraceMinutes",
] as const;
export type ClearableSetting = (typeof CLEARABLE_SETTINGS)[number];

/**
 * The grace window's bounds. A day at most: a post more than a day late has lost its moment, and
 * a team that wants it out anyway reschedules it. 0 means "never send late".
 */
export const MAX_LATE_GRACE_MINUTES = 24 * 60;

/** What `/settings set` collects, as typed. */
export interface SettingsInput {
  approvalChannelId?: string | undefined;
  reportChannelId?: string | undefined;
  approverRoleId?: string | undefined;
  managerRoleId?: string | undefined;
  timezone?: string | undefined;
  reportTime?: string | undefined;
  lateGraceMinutes?: number | undefined;
  requireSecondApprover?: boolean | undefined;
  /** A setting to unset in the same change. */
  clear?: ClearableSetting | undefined;
  /** US dollars per calendar month; 0 removes the cap. */
  xMonthlyBudget?: number | undefined;
  xBudgetStopsPosting?: boolean | undefined;
  /** ISO 4217, any case. */
  currency?: string | undefined;
}

export class SettingsService {
  constructor(
    private readonly settings: SettingsRepository,
    /** Told after every saved change, e.g. to move the daily report to a new time. */
    private readonly onChange: (settings: GuildSettings) => void = () => {},
  ) {}

  get(guildId: string): Promise<GuildSettings> {
    return this.settings.get(guildId);
  }

  async update(guildId: string, input: SettingsInput, actor: string): Promise<GuildSettings> {
    const changes: SettingsChanges = {};
    if (input.approvalChannelId !== undefined) changes.approvalChannelId = input.approvalChannelId;
    if (input.reportChannelId !== undefined) changes.reportChannelId = input.reportChannelId;
    if (input.approverRoleId !== undefined) changes.approverRoleId = input.approverRoleId;
    if (input.managerRoleId !== undefined) changes.managerRoleId = input.managerRoleId;
    if (input.timezone !== undefined) changes.timezone = assertTimeZone(input.timezone.trim());
    if (input.reportTime !== undefined) changes.reportTime = parseReportTime(input.reportTime);
    if (input.lateGraceMinutes !== undefined) {
      changes.lateGraceMinutes = checkLateGrace(input.lateGraceMinutes);
    }
    if (input.requireSecondApprover !== undefined) {
      changes.requireSecondApprover = input.requireSecondApprover;
    }
    if (input.clear !== undefined) {
      if (changes[input.clear] !== undefined) {
        throw new DomainError(
          "invalid_input",
          "The same setting cannot be set and cleared in one command: give either its value or clear, not both.",
          { setting: input.clear },
        );
      }
      changes[input.clear] = null;
    }
    if (input.xMonthlyBudget !== undefined) {
      changes.xMonthlyBudget = parseMonthlyBudget(input.xMonthlyBudget);
    }
    if (input.xBudgetStopsPosting !== undefined) {
      changes.xBudgetStopsPosting = input.xBudgetStopsPosting;
    }
    if (input.currency !== undefined) changes.currency = parseCurrency(input.currency);
    if (Object.keys(changes).length === 0) {
      throw new DomainError(
        "invalid_input",
        "Nothing to change: give at least one option, e.g. approval_channel or timezone.",
      );
    }
    const saved = await this.settings.update(guildId, changes, {
      actor,
      action: "settings.updated",
      payload: { changes },
    });
    this.onChange(saved);
    return saved;
  }
}

function checkLateGrace(minutes: number): number {
  if (!Number.isInteger(minutes) || minutes < 0 || minutes > MAX_LATE_GRACE_MINUTES) {
    throw new DomainError(
      "invalid_input",
      `The grace window is a whole number of minutes from 0 to ${MAX_LATE_GRACE_MINUTES} (got ${minutes}).`,
    );
  }
  return minutes;
}

/** Dollars and cents; 0 means no cap. */
function parseMonthlyBudget(usd: number): number | null {
  if (!Number.isFinite(usd) || usd < 0 || usd > 1_000_000) {
    throw new DomainError(
      "invalid_input",
      `The X monthly budget is in US dollars, from 0 (no cap) to 1000000 (got ${usd}).`,
    );
  }
  return usd === 0 ? null : Math.round(usd * 100) / 100;
}

function parseReportTime(input: string): string {
  const times = parseTimes(input);
  if (times.length !== 1 || times[0] === undefined) {
    throw new DomainError(
      "invalid_schedule",
      `The report time must be one time of day, HH:mm, e.g. 09:00 (got "${input}").`,
    );
  }
  return times[0];
}

import type { XCredentials } from "./secrets.ts";

export const X_ACCOUNT_STATUSES = ["active", "invalid"] as const;
export type XAccountStatus = (typeof X_ACCOUNT_STATUSES)[number];

/** An X account as the domain sees it: credentials stay sealed until a publisher asks for them. */
export interface XAccount {
  id: number;
  guildId: string;
  handle: string;
  xUserId: string;
  status: XAccountStatus;
  dailyPostBudget: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewXAccount {
  guildId: string;
  handle: string;
  xUserId: string;
  credentials: XCredentials;
  dailyPostBudget?: number;
}

/** "@Herald_Team" and "herald_team" are one account on X. */
export function normaliseHandle(handle: string): string {
  return handle.trim().replace(/^@/, "").toLowerCase();
}

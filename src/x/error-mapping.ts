import {
  ApiPartialResponseError,
  ApiRequestError,
  ApiResponseError,
  EApiV2ErrorCode,
  type TwitterRateLimit,
} from "twitter-api-v2";
import type { PublishOutcome } from "../domain/publishing.ts";

type Failure = Exclude<PublishOutcome, { kind: "published" }>;

/**
 * X's documented refusal of a post whose text the account already posted. v2 gives it no error
 * code, only this problem detail, so it is compared whole (never by substring); the runner still
 * checks the timeline before believing it.
 */
export const DUPLICATE_CONTENT_DETAIL =
  "You are not allowed to create a Tweet with duplicate content.";

/** The instant X's exhausted limit resets: the endpoint window, or the per-user 24-hour one. */
export function exhaustedUntil(rateLimit: TwitterRateLimit | undefined): Date | null {
  if (rateLimit === undefined) return null;
  const resets = [rateLimit, rateLimit.userDay, rateLimit.day]
    .filter((limit) => limit !== undefined && limit.remaining <= 0)
    .map((limit) => (limit?.reset ?? 0) * 1000);
  return resets.length === 0 ? null : new Date(Math.max(...resets));
}

function problemText(error: ApiResponseError): string {
  const data = error.data as {
    detail?: unknown;
    title?: unknown;
    errors?: { message?: unknown }[];
  };
  const text = [data.detail, data.errors?.[0]?.message, data.title].find(
    (value): value is string => typeof value === "string" && value.length > 0,
  );
  return text ?? `HTTP ${error.code}`;
}

/** Maps what twitter-api-v2 throws to a typed outcome, from its typed error fields only. */
export function classifyXError(error: unknown, now: Date): Failure {
  if (error instanceof ApiResponseError) {
    const reason = problemText(error);
    if (error.rateLimitError) {
      // Without headers, X's 15-minute window is the safe wait.
      const resetAt = exhaustedUntil(error.rateLimit) ?? new Date(now.getTime() + 15 * 60_000);
      return { kind: "rate_limited", resetAt, reason };
    }
    if (
      error.isAuthError ||
      error.hasErrorCode(EApiV2ErrorCode.ClientForbidden, EApiV2ErrorCode.UnsupportedAuthentication)
    ) {
      return { kind: "auth_invalid", reason };
    }
    if (error.code >= 500) return { kind: "uncertain", reason };
    if (
      error.code === 403 &&
      (error.data as { detail?: unknown }).detail === DUPLICATE_CONTENT_DETAIL
    ) {
      return { kind: "duplicate", reason };
    }
    return { kind: "rejected", reason };
  }
  if (error instanceof ApiRequestError || error instanceof ApiPartialResponseError) {
    // The request may have reached X: a timeout or a dropped connection after X created the post.
    return { kind: "uncertain", reason: error.message };
  }
  throw error;
}

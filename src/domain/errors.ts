/**
 * The one error mechanism of the domain: every expected refusal is a DomainError with a stable
 * code (for tests and logs) and a message a Discord user can act on. src/bot turns these into
 * ephemeral replies; anything that is not a DomainError is a bug and is logged, not shown.
 */
export type DomainErrorCode =
  | "invalid_input"
  | "invalid_schedule"
  | "invalid_time"
  | "invalid_timezone"
  | "invalid_link"
  | "content_too_long"
  | "content_refused"
  | "content_duplicate"
  | "disclosure_missing"
  | "campaign_name_taken"
  | "campaign_not_found"
  | "campaign_state"
  | "post_not_found"
  | "item_not_found"
  | "import_gone"
  | "invalid_transition"
  | "lease_lost"
  | "no_free_slot"
  | "secret_invalid"
  | "forbidden"
  | "form_submitted"
  | "x_account_invalid";

export class DomainError extends Error {
  override readonly name = "DomainError";

  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

export function isDomainError(error: unknown, code?: DomainErrorCode): error is DomainError {
  return error instanceof DomainError && (code === undefined || error.code === code);
}

/** An answer of the fake before it is written. */
export type FakeResponse =
  | {
      readonly status: number;
      readonly body: unknown;
      /** Extra headers, e.g. a 429's retry-after and x-ratelimit-*. */
      readonly headers?: Readonly<Record<string, string>>;
    }
  /** 204 No Content, as Discord answers callbacks without `with_response` and deletions. */
  | { readonly status: 204 }
  /** Raw bytes, for the attachment CDN. */
  | { readonly status: number; readonly bytes: Buffer; readonly contentType: string };

export function json(body: unknown, status = 200): FakeResponse {
  return { status, body };
}

export const NO_CONTENT: FakeResponse = { status: 204 };

// Discord's JSON error bodies, copied from real answers: discord.js turns `message` and `code`
// into DiscordAPIError, and code under test may branch on the code.

function apiError(status: number, message: string, code: number): FakeResponse {
  return { status, body: { message, code } };
}

export const errors = {
  unauthorized: () => apiError(401, "401: Unauthorized", 0),
  notFound: () => apiError(404, "404: Not Found", 0),
  methodNotAllowed: () => apiError(405, "405: Method Not Allowed", 0),
  unknownChannel: () => apiError(404, "Unknown Channel", 10003),
  unknownGuild: () => apiError(404, "Unknown Guild", 10004),
  unknownMember: () => apiError(404, "Unknown Member", 10007),
  unknownMessage: () => apiError(404, "Unknown Message", 10008),
  unknownUser: () => apiError(404, "Unknown User", 10013),
  unknownWebhook: () => apiError(404, "Unknown Webhook", 10015),
  unknownApplicationCommand: () => apiError(404, "Unknown application command", 10063),
  unknownInteraction: () => apiError(404, "Unknown interaction", 10062),
  missingAccess: () => apiError(403, "Missing Access", 50001),
  missingPermissions: () => apiError(403, "Missing Permissions", 50013),
  emptyMessage: () => apiError(400, "Cannot send an empty message", 50006),
  invalidJson: () => apiError(400, "The request body contains invalid JSON.", 50109),
  invalidWebhookToken: () => apiError(401, "Invalid Webhook Token", 50027),
  alreadyAcknowledged: () => apiError(400, "Interaction has already been acknowledged.", 40060),
  cannotEditOtherUsersMessage: () =>
    apiError(403, "Cannot edit a message authored by another user", 50005),
};

/** One problem in a request body: where it is, Discord's code for it, and its message. */
export interface FormProblem {
  readonly path: readonly (string | number)[];
  readonly code: string;
  readonly message: string;
}

/**
 * 400 "Invalid Form Body" (50035) with Discord's nested `errors` tree, e.g.
 * `{ content: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH", message: "..." }] } }`.
 */
export function invalidFormBody(problems: readonly FormProblem[]): FakeResponse {
  const tree: Record<string, unknown> = {};
  for (const problem of problems) {
    let node = tree;
    for (const key of problem.path) {
      const name = String(key);
      node[name] ??= {};
      node = node[name] as Record<string, unknown>;
    }
    node._errors ??= [];
    const list = node._errors as { code: string; message: string }[];
    list.push({ code: problem.code, message: problem.message });
  }
  return { status: 400, body: { message: "Invalid Form Body", code: 50035, errors: tree } };
}

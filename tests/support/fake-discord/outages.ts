import type { FakeResponse } from "./responses.ts";

/**
 * How REST misbehaves during an outage, each as Discord (or Cloudflare in front of it) does:
 * - `unavailable`: 503 with Discord's JSON body.
 * - `bad_gateway`: 502 with an HTML page, as Cloudflare answers when Discord's origin is down.
 * - `rate_limited`: 429 with `retry_after` in the body and the `retry-after` / `x-ratelimit-*`
 *   headers Discord documents; `global` for the bot-wide limit, else the route's bucket.
 * - `answer_lost`: the request is carried out (a message created) and the connection then
 *   dropped before the answer, as when a network path fails on the way back.
 */
export type RestOutageMode =
  | { readonly kind: "unavailable" }
  | { readonly kind: "bad_gateway" }
  | { readonly kind: "rate_limited"; readonly retryAfterMs: number; readonly global?: boolean }
  | { readonly kind: "answer_lost" };

export interface RestOutage {
  readonly mode: RestOutageMode;
  /** How long it lasts on the fake's clock; until endOutage() when not given. */
  readonly forMs?: number | undefined;
  /** How many requests it affects at most; unlimited when not given. */
  readonly requests?: number | undefined;
  /**
   * Which API requests it affects (path after /api/v10; the JSON body or multipart payload_json,
   * undefined for none); every one when not given.
   */
  readonly matches?: ((method: string, path: string, body: unknown) => boolean) | undefined;
  /** Called on every request the outage affects, e.g. to resolve a test's promise. */
  readonly onHit?: ((method: string, path: string) => void) | undefined;
}

interface ActiveOutage {
  readonly outage: RestOutage;
  readonly endsAt: number;
  remaining: number;
}

const CLOUDFLARE_502 = `<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>cloudflare</center>
</body>
</html>
`;

/** The outages under way; the HTTP pipeline asks them before answering an API request. */
export class RestOutages {
  private active: ActiveOutage[] = [];
  /** Requests an outage answered (or whose answer it dropped), by mode. */
  readonly hits: Record<RestOutageMode["kind"], number> = {
    unavailable: 0,
    bad_gateway: 0,
    rate_limited: 0,
    answer_lost: 0,
  };

  constructor(private readonly now: () => number) {}

  start(outage: RestOutage): void {
    this.active.push({
      outage,
      endsAt: outage.forMs === undefined ? Number.POSITIVE_INFINITY : this.now() + outage.forMs,
      remaining: outage.requests ?? Number.POSITIVE_INFINITY,
    });
  }

  end(): void {
    this.active = [];
  }

  /** The outage's answer instead of the route's, if one applies (answer_lost does not). */
  answerFor(method: string, path: string, body: unknown): FakeResponse | undefined {
    const found = this.take(method, path, body, (mode) => mode.kind !== "answer_lost");
    if (found === undefined) return undefined;
    this.hits[found.kind] += 1;
    return outageResponse(found, this.now());
  }

  /** Whether the answer to this request, already carried out, is to be dropped. */
  dropsAnswer(method: string, path: string, body: unknown): boolean {
    const found = this.take(method, path, body, (mode) => mode.kind === "answer_lost");
    if (found !== undefined) this.hits.answer_lost += 1;
    return found !== undefined;
  }

  private take(
    method: string,
    path: string,
    body: unknown,
    wanted: (mode: RestOutageMode) => boolean,
  ): RestOutageMode | undefined {
    const now = this.now();
    this.active = this.active.filter((entry) => entry.endsAt > now && entry.remaining > 0);
    const entry = this.active.find(
      (candidate) =>
        wanted(candidate.outage.mode) && (candidate.outage.matches?.(method, path, body) ?? true),
    );
    if (entry === undefined) return undefined;
    entry.remaining -= 1;
    entry.outage.onHit?.(method, path);
    return entry.outage.mode;
  }
}

function outageResponse(mode: RestOutageMode, now: number): FakeResponse {
  switch (mode.kind) {
    case "unavailable":
      return { status: 503, body: { message: "503: Service Unavailable", code: 0 } };
    case "bad_gateway":
      return {
        status: 502,
        bytes: Buffer.from(CLOUDFLARE_502),
        contentType: "text/html; charset=UTF-8",
      };
    case "rate_limited":
      return rateLimited(mode.retryAfterMs, mode.global ?? false, now);
    case "answer_lost":
      throw new Error("answer_lost has no answer of its own");
  }
}

/**
 * Discord's 429 (docs: Topics › Rate Limits): `retry_after` in seconds (a float) in the body,
 * `Retry-After` in whole seconds, and for a route's bucket its limit, remaining 0 and reset.
 */
function rateLimited(retryAfterMs: number, global: boolean, now: number): FakeResponse {
  const seconds = retryAfterMs / 1000;
  const headers: Record<string, string> = {
    "retry-after": String(Math.ceil(seconds)),
    "x-ratelimit-scope": global ? "global" : "user",
  };
  if (global) headers["x-ratelimit-global"] = "true";
  else {
    Object.assign(headers, {
      "x-ratelimit-limit": "5",
      "x-ratelimit-remaining": "0",
      "x-ratelimit-reset": String((now + retryAfterMs) / 1000),
      "x-ratelimit-reset-after": String(seconds),
      "x-ratelimit-bucket": "fake-channel-messages-bucket",
    });
  }
  return {
    status: 429,
    body: { message: "You are being rate limited.", retry_after: seconds, global },
    headers,
  };
}

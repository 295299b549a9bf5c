import { FAKE_X_ROUTES, type FakeXRoute } from "./routes.ts";

const WINDOW_MS = 15 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const POST_ROUTE: FakeXRoute = "POST /2/tweets";

/**
 * Requests allowed per user. Generous by default so that benchmarks are not throttled unless
 * a test asks; X's own numbers are far lower (e.g. 100 posts per 15 min and per 24 h).
 */
export interface RateLimitOptions {
  /** Requests per user and endpoint in each 15-minute window. */
  readonly per15Minutes?: Partial<Record<FakeXRoute, number>> | undefined;
  /** POST /2/tweets per user in each 24-hour window (the x-user-limit-24hour-* headers). */
  readonly postsPer24Hours?: number | undefined;
}

export const DEFAULT_REQUESTS_PER_15_MINUTES = 10_000;
export const DEFAULT_POSTS_PER_24_HOURS = 10_000;

interface Window {
  start: number;
  used: number;
}

export interface RateDecision {
  readonly allowed: boolean;
  /** The headers X sends with every answer, whether allowed or not. */
  readonly headers: Record<string, string>;
}

/**
 * X's per-user limits: a window opens at a user's first request to an endpoint and lasts 15
 * minutes (24 hours for the per-user post limit). Time comes from the injected clock, so tests
 * move past a reset without waiting.
 */
export class RateLimiter {
  private readonly windows = new Map<string, Window>();
  private readonly days = new Map<string, Window>();
  private readonly limits: Record<FakeXRoute, number>;
  private readonly postsPerDay: number;

  constructor(
    options: RateLimitOptions,
    private readonly now: () => number,
  ) {
    this.limits = Object.fromEntries(
      FAKE_X_ROUTES.map((route) => [
        route,
        options.per15Minutes?.[route] ?? DEFAULT_REQUESTS_PER_15_MINUTES,
      ]),
    ) as Record<FakeXRoute, number>;
    this.postsPerDay = options.postsPer24Hours ?? DEFAULT_POSTS_PER_24_HOURS;
  }

  /** Counts one request of `userId` to `route` unless a limit is exhausted. */
  take(route: FakeXRoute, userId: string): RateDecision {
    const window = this.current(this.windows, `${userId} ${route}`, WINDOW_MS);
    const day = route === POST_ROUTE ? this.current(this.days, userId, DAY_MS) : undefined;
    const allowed =
      window.used < this.limits[route] && (day === undefined || day.used < this.postsPerDay);
    if (allowed) {
      window.used += 1;
      if (day !== undefined) day.used += 1;
    }
    return { allowed, headers: this.headers(route, window, day) };
  }

  /** The headers of a 429 that X sends before the window is used up (a fault). */
  exhausted(route: FakeXRoute, userId: string | undefined, resetInSeconds: number): RateDecision {
    const resetAt = Math.floor(this.now() / 1000) + resetInSeconds;
    const day =
      route === POST_ROUTE && userId !== undefined
        ? this.current(this.days, userId, DAY_MS)
        : undefined;
    const headers = {
      ...this.headers(route, { start: this.now(), used: 0 }, day),
      "x-rate-limit-remaining": "0",
      "x-rate-limit-reset": String(resetAt),
    };
    return { allowed: false, headers };
  }

  /** The headers as they stand, without counting a request (answers to faults). */
  peek(route: FakeXRoute, userId: string): Record<string, string> {
    const window = this.current(this.windows, `${userId} ${route}`, WINDOW_MS);
    const day = route === POST_ROUTE ? this.current(this.days, userId, DAY_MS) : undefined;
    return this.headers(route, window, day);
  }

  reset(): void {
    this.windows.clear();
    this.days.clear();
  }

  private current(windows: Map<string, Window>, key: string, length: number): Window {
    const now = this.now();
    const existing = windows.get(key);
    if (existing !== undefined && now >= existing.start && now < existing.start + length) {
      return existing;
    }
    const fresh = { start: now, used: 0 };
    windows.set(key, fresh);
    return fresh;
  }

  private headers(route: FakeXRoute, window: Window, day: Window | undefined) {
    const limit = this.limits[route];
    const headers: Record<string, string> = {
      "x-rate-limit-limit": String(limit),
      "x-rate-limit-remaining": String(Math.max(0, limit - window.used)),
      "x-rate-limit-reset": epochSeconds(window.start + WINDOW_MS),
    };
    if (day !== undefined) {
      headers["x-user-limit-24hour-limit"] = String(this.postsPerDay);
      headers["x-user-limit-24hour-remaining"] = String(Math.max(0, this.postsPerDay - day.used));
      headers["x-user-limit-24hour-reset"] = epochSeconds(day.start + DAY_MS);
    }
    return headers;
  }
}

function epochSeconds(ms: number): string {
  return String(Math.ceil(ms / 1000));
}

import { z } from "zod";
import type { FakeXRoute } from "./routes.ts";

/**
 * What the fake does instead of answering normally. A schema, because faults also arrive as
 * JSON through the control API of the out-of-process mode.
 */
export const faultSchema = z.discriminatedUnion("kind", [
  /** 429 with x-rate-limit-remaining 0 and x-rate-limit-reset = now + resetInSeconds. */
  z.object({ kind: z.literal("rate_limited"), resetInSeconds: z.number().int().nonnegative() }),
  /** X's problem body with this server-error status. */
  z.object({ kind: z.literal("status"), status: z.union([z.literal(500), z.literal(503)]) }),
  /** Reads the request and never answers, until the client gives up or the fake closes. */
  z.object({ kind: z.literal("hang") }),
  /** 401 as for a revoked token. */
  z.object({ kind: z.literal("unauthorized") }),
  /** Does what X would (e.g. stores the post), then drops the connection without answering. */
  z.object({ kind: z.literal("create_then_drop") }),
  /** X's duplicate-content 403, without storing anything. */
  z.object({ kind: z.literal("duplicate") }),
  /** Does what X would at once (e.g. stores the post), but sends the answer only after `ms`. */
  z.object({ kind: z.literal("slow"), ms: z.number().int().positive() }),
]);

export type Fault = z.infer<typeof faultSchema>;

/** Faults queued per route, each for a number of upcoming requests, first queued first used. */
export class FaultPlan {
  private readonly queued = new Map<FakeXRoute, { fault: Fault; remaining: number }[]>();

  add(route: FakeXRoute, fault: Fault, times: number): void {
    if (!Number.isInteger(times) || times < 1) throw new Error(`times must be ≥ 1, got ${times}`);
    const list = this.queued.get(route) ?? [];
    list.push({ fault, remaining: times });
    this.queued.set(route, list);
  }

  /** The fault for the request now arriving at `route`, if any; uses it up once. */
  take(route: FakeXRoute): Fault | undefined {
    const list = this.queued.get(route);
    const next = list?.[0];
    if (list === undefined || next === undefined) return undefined;
    next.remaining -= 1;
    if (next.remaining === 0) list.shift();
    return next.fault;
  }

  clear(): void {
    this.queued.clear();
  }
}

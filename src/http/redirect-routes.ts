import { z } from "zod";
import type { RedirectTarget } from "../db/tracked-link-repository.ts";
import type { Clock } from "../domain/ports.ts";
import { CODE_PATTERN, newClickId, redirectLocation } from "../domain/tracked-links.ts";
import type { ClickRecorder } from "./click-recorder.ts";
import type { Routes } from "./server.ts";
import { clickHour, isBotRequest, type VisitorHasher } from "./visitors.ts";

const params = z.object({ code: z.string().regex(CODE_PATTERN) });

/** How long a code's target is remembered: a link edited after publishing is followed within it. */
const TARGET_TTL_MS = 60_000;
const MAX_CACHED_TARGETS = 10_000;

const NOT_FOUND_PAGE =
  "<!doctype html><title>Link not found</title><p>This link does not exist or has been removed.</p>\n";

/**
 * GET /r/<code>: 302 to the stored affiliate URL with a fresh click id, and the click queued for
 * storage. Only stored URLs are ever redirected to; anything else is a 404 page.
 */
export function redirectRoutes(deps: {
  targets: (code: string) => Promise<RedirectTarget | null>;
  clicks: ClickRecorder;
  visitors: VisitorHasher;
  clock: Clock;
}): Routes {
  const cache = new Map<string, { target: RedirectTarget; until: number }>();
  const targetOf = async (code: string, now: number): Promise<RedirectTarget | null> => {
    const cached = cache.get(code);
    if (cached !== undefined && cached.until > now) return cached.target;
    const target = await deps.targets(code);
    if (target === null) return null;
    if (cache.size >= MAX_CACHED_TARGETS) cache.clear();
    cache.set(code, { target, until: now + TARGET_TTL_MS });
    return target;
  };

  return (app) => {
    // Fastify answers HEAD with this GET handler (exposeHeadRoutes); HEAD is counted as a bot.
    app.get("/r/:code", async (request, reply) => {
      reply.header("cache-control", "no-store").header("referrer-policy", "no-referrer");
      const parsed = params.safeParse(request.params);
      const at = deps.clock.now();
      const target = parsed.success ? await targetOf(parsed.data.code, at.getTime()) : null;
      if (target === null)
        return reply.code(404).type("text/html; charset=utf-8").send(NOT_FOUND_PAGE);
      const clickId = newClickId();
      const userAgent = request.headers["user-agent"];
      deps.clicks.record({
        postId: target.postId,
        clickId,
        at,
        bot: isBotRequest(request.method, userAgent),
        visitorHash: deps.visitors.hash(request.ip, userAgent ?? "", at),
        hour: clickHour(at),
      });
      return reply.redirect(redirectLocation(target.trackedUrl, target.clickParam, clickId), 302);
    });
  };
}

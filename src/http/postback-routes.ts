import { createHash, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type {
  ConversionOutcome,
  ConversionReport,
  PostbackReceiver,
} from "../db/postback-repository.ts";
import { CLICK_ID_PATTERN } from "../domain/tracked-links.ts";
import type { Logger } from "../logger.ts";
import type { Routes } from "./server.ts";

/** Networks fill these in from macros; everything else they send is ignored. */
const postbackSchema = z.object({
  click_id: z
    .string({ error: "click_id is missing" })
    .regex(CLICK_ID_PATTERN, "click_id is not a Herald click id"),
  payout: z
    .string()
    .trim()
    .regex(/^\d{1,9}(\.\d{1,6})?$/, "payout must be a number of 0 or more, such as 12.50")
    .default("0")
    .transform(Number),
  txid: z
    .string()
    .trim()
    .max(200, "txid must be at most 200 characters")
    // Line breaks and other control characters are no network's transaction id; kept out of
    // the database and the logs.
    .regex(/^\P{Cc}*$/u, "txid must not contain control characters")
    .default(""),
  status: z
    .enum(["approved", "pending", "rejected"], {
      error: "status must be approved, pending or rejected",
    })
    .default("approved"),
  currency: z
    .string()
    .trim()
    .regex(/^[A-Za-z]{3}$/, "currency must be a three-letter code such as USD")
    .transform((code) => code.toUpperCase())
    .optional(),
});

const tokenParams = z.object({ token: z.string().max(100) });

/** Compares without leaking, through timing, how much of a guessed token was right. */
function sameToken(given: string, stored: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(given), digest(stored));
}

/** A query or form field sent twice is ambiguous: the first one is taken, as most parsers do. */
function firstValues(input: unknown): Record<string, unknown> {
  if (typeof input !== "object" || input === null) return {};
  return Object.fromEntries(
    Object.entries(input).map(([key, value]) => [key, Array.isArray(value) ? value[0] : value]),
  );
}

/**
 * GET|POST /postback/<token>: a network reports a conversion for a click id. The answer comes
 * after the conversion is committed, so a sender that retries on failure never loses one.
 */
export function postbackRoutes(deps: {
  receiver: () => Promise<PostbackReceiver>;
  record: (report: ConversionReport) => Promise<ConversionOutcome>;
  /** Writes this instance's queued clicks: a postback may follow its click within milliseconds. */
  flushClicks: () => Promise<void>;
  logger: Logger;
}): Routes {
  return (app) => {
    app.addContentTypeParser(
      "application/x-www-form-urlencoded",
      { parseAs: "string" },
      (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
    );
    app.route({
      method: ["GET", "POST"],
      url: "/postback/:token",
      handler: async (request, reply) => {
        reply.header("cache-control", "no-store").type("text/plain");
        const { token } = tokenParams.parse(request.params);
        const receiver = await deps.receiver();
        if (receiver.token === null || !sameToken(token, receiver.token))
          return reply.code(403).send("Bad token\n");
        const fields = { ...firstValues(request.query), ...firstValues(request.body) };
        const parsed = postbackSchema.safeParse(fields);
        if (!parsed.success) {
          return reply.code(400).send(`${parsed.error.issues.map((i) => i.message).join("; ")}\n`);
        }
        const report: ConversionReport = {
          clickId: parsed.data.click_id,
          txid: parsed.data.txid,
          payout: parsed.data.payout,
          status: parsed.data.status,
          // Stored as the guild's currency at the time: a later change of it relabels nothing.
          currency: parsed.data.currency ?? receiver.currency,
        };
        let outcome = await deps.record(report);
        if (outcome === "unknown_click") {
          await deps.flushClicks();
          outcome = await deps.record(report);
        }
        if (outcome === "unknown_click") {
          deps.logger.warn(
            { clickId: report.clickId, txid: report.txid },
            "postback for an unknown click id",
          );
          return reply.code(404).send("Unknown click_id\n");
        }
        return reply.code(200).send(`${outcome}\n`);
      },
    });
  };
}

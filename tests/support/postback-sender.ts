// A network's postback sender under load: a mix of valid conversions, repeats, unknown click ids
// and malformed values, sent by concurrent workers that retry on 5xx and dropped connections
// (as TUNE, Everflow and the trackers do) until Herald gives a final answer.
import { setTimeout as delay } from "node:timers/promises";

export type PostbackKind = "valid" | "repeat" | "unknown" | "malformed";

export interface Postback {
  kind: PostbackKind;
  /** The query (GET) or form body (POST), without the leading `?`. */
  fields: string;
  method: "GET" | "POST";
  /** For valid ones and repeats: the conversion it reports. */
  conversion?: { clickId: string; txid: string; payout: number; status: string };
}

/** mulberry32: a small seeded generator, so a failing run can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const MALFORMED = [
  (clickId: string) => `click_id=${clickId}&payout=-3&txid=BAD`,
  (clickId: string) => `click_id=${clickId}&payout=abc&txid=BAD`,
  (clickId: string) => `click_id=${clickId}&status=paid&txid=BAD`,
  (clickId: string) => `click_id=${clickId}&txid=${"x".repeat(2_000)}`,
  () => "payout=1&txid=BAD",
];

/**
 * `total` postbacks in a shuffled order: `shares` of repeats (of valid ones), unknown click ids
 * and malformed values, the rest valid conversions with distinct (click id, txid).
 */
export function postbackWorkload(options: {
  total: number;
  clickIds: readonly string[];
  shares: { repeat: number; unknown: number; malformed: number };
  random: () => number;
}): Postback[] {
  const { total, clickIds, shares, random } = options;
  const repeats = Math.round(total * shares.repeat);
  const unknown = Math.round(total * shares.unknown);
  const malformed = Math.round(total * shares.malformed);
  const validCount = total - repeats - unknown - malformed;
  const method = (): "GET" | "POST" => (random() < 0.2 ? "POST" : "GET");
  const valid: Postback[] = Array.from({ length: validCount }, (_, i) => {
    const conversion = {
      clickId: clickIds[i % clickIds.length] ?? "",
      txid: `TX-${i}`,
      payout: Math.round(random() * 10_000) / 100,
      status: random() < 0.1 ? "pending" : "approved",
    };
    return {
      kind: "valid",
      method: method(),
      conversion,
      fields: `click_id=${conversion.clickId}&payout=${conversion.payout}&txid=${conversion.txid}&status=${conversion.status}`,
    };
  });
  const others: Postback[] = [
    ...Array.from({ length: repeats }, (): Postback => {
      const original = valid[Math.floor(random() * valid.length)] as Postback;
      return { ...original, kind: "repeat", method: method() };
    }),
    ...Array.from(
      { length: unknown },
      (_, i): Postback => ({
        kind: "unknown",
        method: method(),
        fields: `click_id=Unknown${String(i).padStart(15, "0")}&payout=1&txid=U-${i}`,
      }),
    ),
    ...Array.from(
      { length: malformed },
      (_, i): Postback => ({
        kind: "malformed",
        method: method(),
        fields: (MALFORMED[i % MALFORMED.length] as (clickId: string) => string)(
          clickIds[i % clickIds.length] ?? "",
        ),
      }),
    ),
  ];
  // Repeats go after their originals in the list, though with concurrent workers and retries
  // one may still reach Herald first: either way it is one conversion.
  const list = [...valid, ...others];
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j] as Postback, list[i] as Postback];
  }
  return list;
}

export interface SendResult {
  postback: Postback;
  status: number;
  body: string;
  attempts: number;
}

export interface SendStats {
  results: SendResult[];
  retriedOn5xx: number;
  retriedOnDroppedConnection: number;
}

/**
 * Sends every postback with `concurrency` workers; a 5xx or a dropped connection is retried after
 * a short pause, any other answer is final. `onAnswered` sees the count of final answers.
 */
export async function sendPostbacks(options: {
  url: string;
  postbacks: readonly Postback[];
  concurrency: number;
  onAnswered?: (answered: number) => void | Promise<void>;
}): Promise<SendStats> {
  const stats: SendStats = { results: [], retriedOn5xx: 0, retriedOnDroppedConnection: 0 };
  let next = 0;
  const send = (postback: Postback) =>
    postback.method === "GET"
      ? fetch(`${options.url}?${postback.fields}`, { signal: AbortSignal.timeout(15_000) })
      : fetch(options.url, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: postback.fields,
          signal: AbortSignal.timeout(15_000),
        });
  const worker = async () => {
    for (let index = next++; index < options.postbacks.length; index = next++) {
      const postback = options.postbacks[index] as Postback;
      for (let attempts = 1; ; attempts++) {
        let answer: { status: number; body: string };
        try {
          const response = await send(postback);
          answer = { status: response.status, body: await response.text() };
        } catch {
          stats.retriedOnDroppedConnection += 1;
          await delay(50);
          continue;
        }
        if (answer.status >= 500) {
          stats.retriedOn5xx += 1;
          await delay(20);
          continue;
        }
        stats.results.push({ postback, ...answer, attempts });
        await options.onAnswered?.(stats.results.length);
        break;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return stats;
}

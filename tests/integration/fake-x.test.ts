import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { Agent } from "node:https";
import { promisify } from "node:util";
import { ApiRequestError, ApiResponseError, TwitterApi } from "twitter-api-v2";
import { afterEach, describe, expect, it } from "vitest";
import { apiBasePlugin } from "../../src/x/api-base-plugin.ts";
import { type FakeXProcess, startFakeXProcess } from "../support/fake-x/process.ts";
import { type FakeX, type FakeXOptions, startFakeX } from "../support/fake-x/server.ts";
import { DEFAULT_FAKE_X_ACCOUNT } from "../support/fake-x/store.ts";
import { FixedClock } from "../support/fixed-clock.ts";

const ONE_PIXEL_PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  "base64",
);
const DAY_MS = 24 * 60 * 60 * 1000;

let fake: FakeX | undefined;
let child: FakeXProcess | undefined;
afterEach(async () => {
  await fake?.close();
  await child?.stop();
  fake = undefined;
  child = undefined;
});

async function start(options: FakeXOptions = {}): Promise<FakeX> {
  fake = await startFakeX(options);
  return fake;
}

/** The real client as Herald builds it: OAuth 1.0a user context, base and timeout by plugin. */
function clientFor(
  target: { url: string; agent: Agent },
  { accessToken = DEFAULT_FAKE_X_ACCOUNT.accessToken, timeoutMs = 10_000 } = {},
): TwitterApi {
  return new TwitterApi(
    { appKey: "app-key", appSecret: "app-secret", accessToken, accessSecret: "access-secret" },
    { httpAgent: target.agent, plugins: [apiBasePlugin(new URL(target.url), timeoutMs)] },
  );
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

/**
 * The low-level error behind an ApiRequestError. twitter-api-v2 1.29 stores it as `error`
 * while its `requestError` getter reads `requestError`, so the getter is always undefined.
 */
function causeOf(error: ApiRequestError): Error | undefined {
  return (error as unknown as { _options: { error?: Error } })._options.error;
}

describe("fake X with the real twitter-api-v2 client", () => {
  it("given a post with a link and paid_partnership, answers 201 with t.co text and holds the post as sent", async () => {
    const x = await start();
    const text = "New deal https://shop.example.com/p/1?ref=herald #ad";

    const created = await clientFor(x).v2.post("tweets", { text, paid_partnership: true });

    expect(created.data.id).toMatch(/^\d{19}$/);
    expect(created.data.text).toMatch(/^New deal https:\/\/t\.co\/[A-Za-z0-9]{10} #ad$/);
    expect(created.data.edit_history_tweet_ids).toEqual([created.data.id]);
    expect(x.posts).toMatchObject([
      {
        id: created.data.id,
        text,
        storedText: created.data.text,
        authorId: DEFAULT_FAKE_X_ACCOUNT.userId,
        paidPartnership: true,
      },
    ]);
    expect(x.requests).toMatchObject([
      { method: "POST", path: "/2/tweets", route: "POST /2/tweets", body: { text } },
    ]);
    expect(x.requests[0]?.headers.authorization).toContain(
      `oauth_token="${DEFAULT_FAKE_X_ACCOUNT.accessToken}"`,
    );
  });

  it("given two posts, gives increasing ids and sends rate-limit headers with the per-user day limit", async () => {
    const x = await start({ limits: { per15Minutes: { "POST /2/tweets": 50 } } });
    const client = clientFor(x);

    const first = await client.v2.tweet("first");
    const second = await client.v2.post("tweets", { text: "second" }, { fullResponse: true });

    expect(BigInt(second.data.data.id)).toBeGreaterThan(BigInt(first.data.id));
    expect(second.rateLimit).toMatchObject({ limit: 50, remaining: 48 });
    expect(second.rateLimit?.userDay).toMatchObject({ remaining: 9_998 });
  });

  it("given the same text again within 24 h, rejects with 403 and X's duplicate detail, and accepts it a day later", async () => {
    const clock = new FixedClock(new Date("2025-03-01T12:00:00Z"));
    const x = await start({ now: () => clock.now().getTime() });
    const client = clientFor(x);
    await client.v2.tweet("Same words");

    clock.advance(23 * 60 * 60 * 1000);
    const error = await rejectionOf(client.v2.tweet("Same words"));
    clock.advance(2 * 60 * 60 * 1000);
    await client.v2.tweet("Same words");

    expect(error).toBeInstanceOf(ApiResponseError);
    const response = error as ApiResponseError;
    expect(response.code).toBe(403);
    expect(response.data.detail).toBe(
      "You are not allowed to create a Tweet with duplicate content.",
    );
    expect(x.posts).toHaveLength(2);
  });

  it("given text over 280 weighted characters or an unknown media id, answers 400", async () => {
    const x = await start();
    const client = clientFor(x);

    const tooLong = await rejectionOf(client.v2.tweet("é".repeat(281)));
    const unknownMedia = await rejectionOf(
      client.v2.tweet({ text: "photo", media: { media_ids: ["1234567890123456789"] } }),
    );

    expect((tooLong as ApiResponseError).code).toBe(400);
    expect((unknownMedia as ApiResponseError).code).toBe(400);
    expect(x.posts).toEqual([]);
  });

  it("given a rate_limited fault, surfaces rateLimitError with the injected reset, then answers normally", async () => {
    const now = Date.parse("2025-03-01T12:00:00Z");
    const x = await start({ now: () => now });
    x.fail("POST /2/tweets", { kind: "rate_limited", resetInSeconds: 120 });
    const client = clientFor(x);

    const error = (await rejectionOf(client.v2.tweet("hello"))) as ApiResponseError;
    await client.v2.tweet("hello");

    expect(error).toBeInstanceOf(ApiResponseError);
    expect(error.code).toBe(429);
    expect(error.rateLimitError).toBe(true);
    expect(error.rateLimit).toMatchObject({ remaining: 0, reset: now / 1000 + 120 });
    expect(error.data).toEqual({
      title: "Too Many Requests",
      detail: "Too Many Requests",
      type: "about:blank",
      status: 429,
    });
    expect(x.posts).toHaveLength(1);
  });

  it("given a limit of 2 posts per 15 minutes, refuses the third with 429 until the window resets", async () => {
    const clock = new FixedClock(new Date("2025-03-01T12:00:00Z"));
    const x = await start({
      now: () => clock.now().getTime(),
      limits: { per15Minutes: { "POST /2/tweets": 2 } },
    });
    const client = clientFor(x);
    await client.v2.tweet("one");
    await client.v2.tweet("two");

    const error = (await rejectionOf(client.v2.tweet("three"))) as ApiResponseError;
    clock.advance(15 * 60 * 1000);
    await client.v2.tweet("three");

    expect(error.rateLimitError).toBe(true);
    expect(error.rateLimit?.reset).toBe(Date.parse("2025-03-01T12:15:00Z") / 1000);
    expect(x.posts.map((post) => post.text)).toEqual(["one", "two", "three"]);
  });

  it("given an unknown token or an unauthorized fault, surfaces isAuthError with X's 401 body", async () => {
    const x = await start();
    x.fail("GET /2/users/me", { kind: "unauthorized" });

    const faulted = (await rejectionOf(clientFor(x).v2.me())) as ApiResponseError;
    const unknown = (await rejectionOf(
      clientFor(x, { accessToken: "revoked-token" }).v2.me(),
    )) as ApiResponseError;

    for (const error of [faulted, unknown]) {
      expect(error).toBeInstanceOf(ApiResponseError);
      expect(error.isAuthError).toBe(true);
      expect(error.data).toEqual({
        title: "Unauthorized",
        type: "about:blank",
        status: 401,
        detail: "Unauthorized",
      });
    }
  });

  it("given a status fault, surfaces ApiResponseError with code 500 and then 503", async () => {
    const x = await start();
    x.fail("POST /2/tweets", { kind: "status", status: 500 });
    x.fail("POST /2/tweets", { kind: "status", status: 503 });
    const client = clientFor(x);

    const first = (await rejectionOf(client.v2.tweet("a"))) as ApiResponseError;
    const second = (await rejectionOf(client.v2.tweet("a"))) as ApiResponseError;

    expect([first.code, second.code]).toEqual([500, 503]);
    expect(first.rateLimitError).toBe(false);
    expect(x.posts).toEqual([]);
  });

  it("given a hang fault and a 300 ms plugin timeout, fails with a request error caused by the timeout", async () => {
    const x = await start();
    x.fail("POST /2/tweets", { kind: "hang" });
    const startedAt = Date.now();

    const error = await rejectionOf(clientFor(x, { timeoutMs: 300 }).v2.tweet("stuck"));

    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(290);
    expect(error).toBeInstanceOf(ApiRequestError);
    expect((error as ApiRequestError).message).toBe("Request failed.");
    expect(causeOf(error as ApiRequestError)?.message).toBe("Request timeout.");
    expect(x.posts).toEqual([]);
  });

  it("given a create_then_drop fault, fails with a request error although X holds the post", async () => {
    const x = await start();
    x.fail("POST /2/tweets", { kind: "create_then_drop" });
    const client = clientFor(x);

    const error = await rejectionOf(client.v2.tweet("Lost answer https://example.com/x"));
    const again = (await rejectionOf(
      client.v2.tweet("Lost answer https://example.com/x"),
    )) as ApiResponseError;

    expect(error).toBeInstanceOf(ApiRequestError);
    expect(causeOf(error as ApiRequestError)?.message).toMatch(/socket hang up|Socket closed/);
    expect(x.posts).toMatchObject([{ text: "Lost answer https://example.com/x" }]);
    expect(again.code).toBe(403);
  });

  it("given a slow fault, holds the post at once and answers only after the delay", async () => {
    const x = await start();
    x.fail("POST /2/tweets", { kind: "slow", ms: 300 });
    let answered = false;
    const tweet = clientFor(x)
      .v2.tweet("A slow answer")
      .finally(() => {
        answered = true;
      });

    await expect.poll(() => x.posts.length).toBe(1);
    expect(answered).toBe(false);
    expect((await tweet).data.id).toBe(x.posts[0]?.id);
  });

  it("given a duplicate fault, answers X's duplicate 403 without storing anything", async () => {
    const x = await start();
    x.fail("POST /2/tweets", { kind: "duplicate" });

    const error = (await rejectionOf(clientFor(x).v2.tweet("fresh text"))) as ApiResponseError;

    expect(error.code).toBe(403);
    expect(x.posts).toEqual([]);
  });

  it("answers v2.me() with the token's account", async () => {
    const account = { userId: "42", username: "brand", accessToken: "brand-token" };
    const x = await start({ accounts: [DEFAULT_FAKE_X_ACCOUNT, account] });

    const me = await clientFor(x, { accessToken: "brand-token" }).v2.me();

    expect(me.data).toEqual({ id: "42", name: "brand", username: "brand" });
  });

  it("lists the account's posts newest first on its timeline, with entities giving back the original links", async () => {
    const x = await start();
    const client = clientFor(x);
    await client.v2.tweet("older");
    const newer = await client.v2.tweet("Buy https://shop.example.com/item?id=7 and example.org");

    const timeline = await client.v2.userTimeline(DEFAULT_FAKE_X_ACCOUNT.userId, {
      max_results: 5,
      "tweet.fields": ["created_at", "entities"],
    });

    expect(timeline.tweets.map((tweet) => tweet.text)).toEqual([newer.data.text, "older"]);
    const urls = timeline.tweets[0]?.entities?.urls ?? [];
    expect(urls.map((url) => url.expanded_url)).toEqual([
      "https://shop.example.com/item?id=7",
      "http://example.org",
    ]);
    for (const url of urls) {
      expect(Array.from(newer.data.text).slice(url.start, url.end).join("")).toBe(url.url);
    }
    expect(timeline.meta).toMatchObject({ result_count: 2, newest_id: newer.data.id });
    expect(timeline.tweets[0]?.created_at).toBe(x.posts[1]?.createdAt);
  });

  it("answers an empty timeline with result_count 0 and refuses max_results outside 5..100", async () => {
    const x = await start();
    const client = clientFor(x);

    const empty = await client.v2.userTimeline(DEFAULT_FAKE_X_ACCOUNT.userId, { max_results: 5 });
    const error = await rejectionOf(
      client.v2.userTimeline(DEFAULT_FAKE_X_ACCOUNT.userId, { max_results: 3 }),
    );

    expect(empty.meta.result_count).toBe(0);
    expect(empty.tweets).toEqual([]);
    expect((error as ApiResponseError).code).toBe(400);
  });

  it("looks posts up with metrics, a not-found item per missing id, and no private metrics after 30 days", async () => {
    const clock = new FixedClock(new Date("2025-03-01T12:00:00Z"));
    const x = await start({ now: () => clock.now().getTime() });
    const client = clientFor(x);
    const old = await client.v2.tweet("old post");
    clock.advance(31 * DAY_MS);
    const recent = await client.v2.tweet("recent post");
    x.setMetrics(recent.data.id, { impression_count: 900, like_count: 12, url_link_clicks: 30 });
    const missing = "1999999999999999999";

    const result = await client.v2.tweets([recent.data.id, old.data.id, missing], {
      "tweet.fields": ["public_metrics", "non_public_metrics", "organic_metrics", "created_at"],
    });

    expect(result.data).toHaveLength(2);
    const [fresh, stale] = result.data;
    expect(fresh?.public_metrics).toEqual({
      retweet_count: 0,
      reply_count: 0,
      like_count: 12,
      quote_count: 0,
      bookmark_count: 0,
      impression_count: 900,
    });
    expect(fresh?.non_public_metrics).toEqual({
      impression_count: 900,
      url_link_clicks: 30,
      user_profile_clicks: 0,
    });
    expect(fresh?.organic_metrics).toMatchObject({ impression_count: 900, like_count: 12 });
    expect(stale?.public_metrics).toBeDefined();
    expect(stale).not.toHaveProperty("non_public_metrics");
    expect(stale).not.toHaveProperty("organic_metrics");
    expect(result.errors).toEqual([
      {
        value: missing,
        detail: `Could not find tweet with ids: [${missing}].`,
        title: "Not Found Error",
        resource_type: "tweet",
        parameter: "ids",
        resource_id: missing,
        type: "https://api.twitter.com/2/problems/resource-not-found",
      },
    ]);
  });

  it("given more than 100 ids to look up, answers 400", async () => {
    const x = await start();
    const ids = Array.from({ length: 101 }, (_, index) =>
      String(1_000_000_000_000_000_000n + BigInt(index)),
    );

    const error = await rejectionOf(clientFor(x).v2.tweets(ids));

    expect((error as ApiResponseError).code).toBe(400);
  });

  it("uploads an image, records its sensitive-media flags, and accepts it in a post", async () => {
    const x = await start();
    const client = clientFor(x);

    const mediaId = await client.v2.uploadMedia(ONE_PIXEL_PNG, { media_type: "image/png" });
    // The client's metadata type has only alt_text; X also takes sensitive_media_warning.
    const metadata = {
      alt_text: { text: "A product photo" },
      sensitive_media_warning: { adult_content: true },
    };
    const answer = await client.v2.createMediaMetadata(mediaId, metadata);
    await client.v2.tweet({ text: "with photo", media: { media_ids: [mediaId] } });

    expect(answer.data).toEqual({ id: mediaId, associated_metadata: metadata });
    expect(x.media).toMatchObject([
      {
        id: mediaId,
        mediaType: "image/png",
        mediaCategory: "tweet_image",
        receivedBytes: ONE_PIXEL_PNG.length,
        altText: "A product photo",
        sensitiveMediaWarning: { adult_content: true, graphic_violence: false, other: false },
      },
    ]);
    expect(x.posts[0]?.mediaIds).toEqual([mediaId]);
    expect(x.requests.map((request) => request.route)).toEqual([
      "POST /2/media/upload/initialize",
      "POST /2/media/upload/:id/append",
      "POST /2/media/upload/:id/finalize",
      "POST /2/media/metadata",
      "POST /2/tweets",
    ]);
  });

  it("uploads a video in several segments and lets the client poll its processing status", async () => {
    const x = await start();
    const video = Buffer.alloc(2500, 7);

    const mediaId = await clientFor(x).v2.uploadMedia(video, { media_type: "video/mp4" }, 1000);

    expect(x.requestCount("POST /2/media/upload/:id/append")).toBe(3);
    expect(x.requestCount("GET /2/media/upload")).toBe(1);
    expect(x.media).toMatchObject([{ id: mediaId, receivedBytes: 2500, state: "ready" }]);
  });

  it("accepts a one-request multipart upload", async () => {
    const x = await start();

    const answer = await clientFor(x).v2.post(
      "media/upload",
      { media: ONE_PIXEL_PNG, media_category: "tweet_image" },
      { forceBodyMode: "form-data" },
    );

    expect(answer.data).toMatchObject({ size: ONE_PIXEL_PNG.length });
    expect(x.requests[0]?.body).toEqual({
      media: { bytes: ONE_PIXEL_PNG.length },
      media_category: "tweet_image",
    });
  });

  it("given reset(), forgets posts, requests and faults", async () => {
    const x = await start();
    await clientFor(x).v2.tweet("before reset");
    x.fail("POST /2/tweets", { kind: "status", status: 500 });

    x.reset();
    await clientFor(x).v2.tweet("before reset");

    expect(x.posts).toHaveLength(1);
    expect(x.requestCount()).toBe(1);
  });

  it("is trusted by a child process through NODE_EXTRA_CA_CERTS pointing at caFile", async () => {
    const x = await start();
    // No agent, no ca option: only the variable makes Node trust the fake's certificate.
    const probe = `require("https").get(process.argv[1], (r) => { console.log(r.statusCode); r.resume(); })`;

    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["-e", probe, `${x.url}/2/users/me`],
      { env: { PATH: process.env.PATH ?? "", NODE_EXTRA_CA_CERTS: x.caFile } },
    );

    expect(stdout.trim()).toBe("401");
  });

  it("runs as a child process whose certificate file and control API serve a client", async () => {
    child = await startFakeXProcess();
    const agent = new Agent({ ca: readFileSync(child.caFile), keepAlive: true });
    try {
      const client = clientFor({ url: child.url, agent });
      await child.control.fail("POST /2/tweets", { kind: "status", status: 503 });

      const error = (await rejectionOf(client.v2.tweet("from afar"))) as ApiResponseError;
      const created = await client.v2.tweet("from afar");

      expect(error.code).toBe(503);
      expect(await child.control.posts()).toMatchObject([
        { id: created.data.id, text: "from afar" },
      ]);
      expect(await child.control.requestCount("POST /2/tweets")).toBe(2);
      await child.control.reset();
      expect(await child.control.posts()).toEqual([]);
    } finally {
      agent.destroy();
    }
    expect(await child.stop()).toBe(0);
  });
});

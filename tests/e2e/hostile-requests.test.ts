// Hostile requests against the web server of a running Herald: long paths, `..`, encoded
// slashes, header injection through the code, huge bodies and headers, wrong methods. Each gets a
// 4xx, nothing is stored, and afterwards the server
// still answers health checks, redirects and postbacks.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type E2E, startE2E } from "../support/e2e-harness.ts";
import { finishE2E } from "../support/e2e-steps.ts";
import { rawGet, rawRequest } from "../support/raw-http.ts";
import { postbackToken, publishTrackedPost, webOrigin } from "../support/tracking-steps.ts";

let e2e: E2E;
beforeEach(async () => {
  e2e = await startE2E({
    env: { HERALD_PUBLIC_URL: "https://go.team.example", HERALD_HTTP_PORT: "0" },
  });
});
afterEach(() => finishE2E(e2e));

interface Attack {
  name: string;
  request: string | Buffer;
}

function post(origin: string, target: string, contentType: string, body: string): string {
  return `${rawGet(origin, target, "POST", `Content-Type: ${contentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`)}${body}`;
}

function attacks(origin: string, code: string, token: string, clickId: string): Attack[] {
  const get = (target: string, method = "GET") => rawGet(origin, target, method);
  const mb = "a".repeat(1024 * 1024);
  return [
    { name: "10 KB code", request: get(`/r/${"A".repeat(10_000)}`) },
    { name: "10 KB token", request: get(`/postback/${"t".repeat(10_000)}?click_id=${clickId}`) },
    { name: "10 KB path", request: get(`/${"x/".repeat(5_000)}`) },
    { name: "dot-dot", request: get("/r/../../etc/passwd") },
    { name: "dot-dot past a code", request: get(`/r/${code}/../../postback/${token}`) },
    { name: "dot-dot into postbacks", request: get(`/postback/../r/${code}`) },
    { name: "encoded slashes", request: get(`/r/${code}%2F..%2F..%2Fetc%2Fpasswd`) },
    { name: "encoded dot-dot", request: get("/r/%2e%2e%2f%2e%2e%2fetc%2fpasswd") },
    { name: "encoded backslash", request: get(`/r/${code}%5C..%5Cwin.ini`) },
    {
      name: "header injection in the code",
      request: get(`/r/${code}%0d%0aSet-Cookie:%20stolen=1%0d%0aLocation:%20https://evil.example`),
    },
    { name: "raw CR LF in the code", request: get(`/r/AB\rCD${code}`) },
    { name: "NUL in the code", request: get(`/r/${code}%00`) },
    { name: "overlong UTF-8 slash", request: get(`/r/${code}%c0%af..%c0%afetc`) },
    {
      name: "header injection in the click id",
      request: get(`/postback/${token}?click_id=${clickId}%0d%0aX-Injected:%201&txid=H1`),
    },
    {
      name: "header injection in the txid",
      request: get(`/postback/${token}?click_id=${clickId}&txid=H1%0d%0aX-Injected:%201`),
    },
    { name: "10 KB click id", request: get(`/postback/${token}?click_id=${"C".repeat(10_000)}`) },
    {
      name: "1 MB form body",
      request: post(origin, `/postback/${token}`, "application/x-www-form-urlencoded", mb),
    },
    {
      name: "1 MB JSON body",
      request: post(origin, `/postback/${token}`, "application/json", `{"txid":"${mb}"}`),
    },
    { name: "1 MB body to a redirect", request: post(origin, `/r/${code}`, "text/plain", mb) },
    {
      name: "unknown body type",
      request: post(
        origin,
        `/postback/${token}`,
        "application/xml",
        `<click_id>${clickId}</click_id>`,
      ),
    },
    {
      name: "20 KB header",
      request: rawGet(origin, `/r/${code}`, "GET", `User-Agent: ${"u".repeat(20_000)}\r\n`),
    },
    ...["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"].map((method) => ({
      name: `${method} on a redirect`,
      request: get(`/r/${code}`, method),
    })),
    ...["PUT", "DELETE", "PATCH"].map((method) => ({
      name: `${method} on postbacks`,
      request: get(`/postback/${token}?click_id=${clickId}&txid=H2`, method),
    })),
    { name: "POST on health", request: get("/healthz", "POST") },
    { name: "not HTTP at all", request: Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00]) },
  ];
}

describe("hostile requests to the web server", () => {
  it("given long paths, dot-dots, encoded slashes, header injection, 1 MB bodies and wrong methods, answers 4xx, redirects nowhere, stores nothing and keeps answering", async () => {
    const { link } = await publishTrackedPost(e2e);
    const origin = webOrigin(e2e.herald);
    const code = new URL(link).pathname.slice("/r/".length);
    const token = await postbackToken(e2e);
    // A real click, so postbacks below name a click id Herald knows.
    const first = await fetch(`${origin}/r/${code}`, { redirect: "manual" });
    const clickId = new URL(first.headers.get("location") ?? "").searchParams.get("subid") ?? "";
    await e2e.herald.web?.flushClicks();
    const before = {
      clicks: await e2e.herald.prisma.click.count(),
      conversions: await e2e.herald.prisma.conversion.count(),
      audit: await e2e.herald.prisma.auditEvent.count(),
    };

    for (const attack of attacks(origin, code, token, clickId)) {
      const response = await rawRequest(origin, attack.request);
      // Even bytes that are not HTTP get an answer (Node's 400) before the connection closes.
      expect(response.status, attack.name).toBeGreaterThanOrEqual(400);
      expect(response.status, attack.name).toBeLessThan(500);
      expect(response.headers.location, attack.name).toBeUndefined();
      expect(response.headers["set-cookie"], attack.name).toBeUndefined();
      expect(response.headers["x-injected"], attack.name).toBeUndefined();
    }

    await e2e.herald.web?.flushClicks();
    expect({
      clicks: await e2e.herald.prisma.click.count(),
      conversions: await e2e.herald.prisma.conversion.count(),
      audit: await e2e.herald.prisma.auditEvent.count(),
    }).toEqual(before);

    // Still serving: health, a redirect and a valid postback.
    expect((await fetch(`${origin}/healthz`)).status).toBe(200);
    expect((await fetch(`${origin}/r/${code}`, { redirect: "manual" })).status).toBe(302);
    const valid = await fetch(`${origin}/postback/${token}?click_id=${clickId}&txid=OK-1`);
    expect([valid.status, await valid.text()]).toEqual([200, "stored\n"]);
  });
});

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { faultSchema } from "./faults.ts";
import { FAKE_X_ROUTES, isFakeXRoute } from "./routes.ts";
import type { FakeX } from "./server.ts";

const failBody = z.object({
  route: z.enum(FAKE_X_ROUTES),
  fault: faultSchema,
  times: z.number().int().positive().optional(),
});

const metricsBody = z.object({
  postId: z.string(),
  metrics: z.record(z.string(), z.number().int().nonnegative()),
});

export interface ControlServer {
  /** Plain HTTP origin on 127.0.0.1; FakeXControl talks to it. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The out-of-process fake's remote control: what a test in another process needs to arrange
 * faults and inspect what X holds. Plain HTTP, because only the test talks to it.
 */
export async function startControlServer(fake: FakeX): Promise<ControlServer> {
  const server = createServer((request, response) => {
    control(fake, request, response).catch((error: unknown) => {
      send(response, 500, { error: String(error) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function control(fake: FakeX, request: IncomingMessage, response: ServerResponse) {
  const url = new URL(request.url ?? "/", "http://control.invalid");
  const route = `${request.method} ${url.pathname}`;
  if (route === "GET /posts") return send(response, 200, fake.posts);
  if (route === "GET /media") return send(response, 200, fake.media);
  if (route === "GET /requests/count") {
    const name = url.searchParams.get("route");
    if (name !== null && !isFakeXRoute(name)) return send(response, 400, { error: "no route" });
    return send(response, 200, { count: fake.requestCount(name ?? undefined) });
  }
  if (route === "POST /fail") {
    const parsed = failBody.safeParse(await readJson(request));
    if (!parsed.success) return send(response, 400, { error: parsed.error.message });
    fake.fail(parsed.data.route, parsed.data.fault, parsed.data.times ?? 1);
    return send(response, 204, undefined);
  }
  if (route === "POST /metrics") {
    const parsed = metricsBody.safeParse(await readJson(request));
    if (!parsed.success) return send(response, 400, { error: parsed.error.message });
    fake.setMetrics(parsed.data.postId, parsed.data.metrics);
    return send(response, 204, undefined);
  }
  if (route === "POST /reset") {
    fake.reset();
    return send(response, 204, undefined);
  }
  send(response, 404, { error: `no control route ${route}` });
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return undefined;
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  if (body === undefined) {
    response.writeHead(status).end();
    return;
  }
  const payload = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json" }).end(payload);
}

// An HTTP proxy on loopback that loses answers the way networks between a sender and Herald do:
// some requests get a 503 before reaching Herald, some reach it and have their answer dropped
// (the connection closes after Herald committed), and while Herald is down every connection is
// dropped. The sender only ever sees a 5xx or a dropped connection, and must retry.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface FlakyProxy {
  origin: string;
  /** What the proxy did to requests so far. */
  readonly counts: {
    forwarded: number;
    refused503: number;
    answersDropped: number;
    upstreamDown: number;
  };
  close(): Promise<void>;
}

async function bodyOf(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return chunks.length === 0 ? undefined : Buffer.concat(chunks);
}

/**
 * `random` decides each request's fate (seeded by the caller, so a failure can be replayed):
 * below `refuse` a 503, below `refuse + drop` the answer is dropped after Herald gave it.
 */
export async function startFlakyProxy(options: {
  target: string;
  random: () => number;
  refuse: number;
  drop: number;
}): Promise<FlakyProxy> {
  const counts = { forwarded: 0, refused503: 0, answersDropped: 0, upstreamDown: 0 };
  const server: Server = createServer(async (request, response) => {
    const roll = options.random();
    const body = await bodyOf(request);
    if (roll < options.refuse) {
      counts.refused503 += 1;
      response.writeHead(503, { "content-type": "text/plain" }).end("Service unavailable\n");
      return;
    }
    let answer: { status: number; text: string };
    try {
      const contentType = request.headers["content-type"];
      const upstream = await fetch(`${options.target}${request.url ?? "/"}`, {
        method: request.method ?? "GET",
        headers: contentType === undefined ? {} : { "content-type": contentType },
        ...(body === undefined ? {} : { body }),
        signal: AbortSignal.timeout(10_000),
      });
      answer = { status: upstream.status, text: await upstream.text() };
    } catch {
      counts.upstreamDown += 1;
      request.socket.destroy();
      return;
    }
    if (roll < options.refuse + options.drop) {
      counts.answersDropped += 1;
      request.socket.destroy();
      return;
    }
    counts.forwarded += 1;
    response.writeHead(answer.status, { "content-type": "text/plain" }).end(answer.text);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    counts,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

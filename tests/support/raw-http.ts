// Requests as raw bytes on a socket, for what fetch and node:http would clean up or refuse to
// send: a literal `..` in a path, CR LF inside a request line, oversized headers.
import { connect } from "node:net";

export interface RawResponse {
  /** 0 when the server closed the connection without answering. */
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
}

/** Sends `request` as is on a new connection and reads until the server closes it. */
export function rawRequest(origin: string, request: string | Buffer): Promise<RawResponse> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error("no answer within 10 s")));
    socket.on("data", (chunk) => chunks.push(chunk));
    // A server refusing a huge body may reset the connection while it is still being sent.
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ECONNRESET" || error.code === "EPIPE") socket.destroy();
      else reject(error);
    });
    socket.on("close", () => resolve(parse(Buffer.concat(chunks).toString("latin1"))));
    socket.end(request);
  });
}

function parse(text: string): RawResponse {
  const [head = "", ...rest] = text.split("\r\n\r\n");
  const [statusLine = "", ...lines] = head.split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status, headers, body: rest.join("\r\n\r\n") };
}

/** A GET (or `method`) with Connection: close, the target written exactly as given. */
export function rawGet(origin: string, target: string, method = "GET", extra = ""): string {
  return `${method} ${target} HTTP/1.1\r\nHost: ${new URL(origin).host}\r\nConnection: close\r\n${extra}\r\n`;
}

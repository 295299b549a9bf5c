import type { IncomingMessage, ServerResponse } from "node:http";
import { loggableBody, type RequestBody, readRequestBody } from "./request-body.ts";
import { errors, type FakeResponse } from "./responses.ts";
import { matchRoute } from "./routes/index.ts";
import type { FakeDiscordState } from "./state.ts";

/** Where discord.js sends API calls: `rest.api` ("…/api") plus `/v10`. */
export const API_PREFIX = "/api/v10";

/** A request as the fake received and answered it. */
export interface RecordedRequest {
  readonly method: string;
  /** The full path, e.g. "/api/v10/channels/1/messages" or "/attachments/…". */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** 0 when an `answer_lost` outage dropped the connection instead of answering. */
  readonly status: number;
  /** JSON as parsed; multipart as payload_json plus file names and sizes. */
  readonly body: unknown;
}

export interface UnknownRoute {
  readonly method: string;
  readonly path: string;
}

export interface PipelineRecords {
  readonly requests: RecordedRequest[];
  readonly unknownRoutes: UnknownRoute[];
}

/** The HTTP server's request listener: API routes, the attachment CDN, and records. */
export function requestListener(
  state: FakeDiscordState,
  botToken: string,
  records: PipelineRecords,
) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    handle(state, botToken, records, request, response).catch((error: unknown) => {
      // A bug in the fake, not a Discord answer: say so loudly instead of imitating Discord.
      console.error("fake Discord failed to answer", error);
      if (!response.headersSent) {
        write(response, { status: 500, body: { message: `fake Discord bug: ${String(error)}` } });
      }
    });
  };
}

async function handle(
  state: FakeDiscordState,
  botToken: string,
  records: PipelineRecords,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? "/", "http://fake-discord.invalid");
  const method = request.method ?? "GET";
  const body = await readRequestBody(request);
  const value = body.kind === "json" || body.kind === "form" ? body.value : undefined;
  const apiPath = url.pathname.startsWith(`${API_PREFIX}/`)
    ? url.pathname.slice(API_PREFIX.length)
    : undefined;
  const answer =
    (apiPath === undefined ? undefined : state.outages.answerFor(method, apiPath, value)) ??
    answerFor(state, botToken, records, method, url, body, request);
  const dropped = apiPath !== undefined && state.outages.dropsAnswer(method, apiPath, value);
  records.requests.push({
    method,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    status: dropped ? 0 : answer.status,
    body: loggableBody(body),
  });
  // The request was carried out; its answer is lost with the connection.
  if (dropped) response.socket?.destroy();
  else write(response, answer);
}

function answerFor(
  state: FakeDiscordState,
  botToken: string,
  records: PipelineRecords,
  method: string,
  url: URL,
  body: RequestBody,
  request: IncomingMessage,
): FakeResponse {
  const unknown = (answer: FakeResponse) => {
    records.unknownRoutes.push({ method, path: url.pathname });
    return answer;
  };
  if (!url.pathname.startsWith(`${API_PREFIX}/`)) {
    const file = method === "GET" ? state.cdn.serve(url.pathname) : undefined;
    return file === undefined
      ? unknown(errors.notFound())
      : { status: 200, bytes: file.bytes, contentType: file.contentType };
  }
  const match = matchRoute(method, url.pathname.slice(API_PREFIX.length));
  if (match === undefined) return unknown(errors.notFound());
  if (match === "wrong_method") return unknown(errors.methodNotAllowed());
  if (match.route.auth && request.headers.authorization !== `Bot ${botToken}`) {
    return errors.unauthorized();
  }
  return match.route.handler({ state, params: match.params, query: url.searchParams, body });
}

function write(response: ServerResponse, answer: FakeResponse): void {
  if ("bytes" in answer) {
    response.writeHead(answer.status, {
      "content-type": answer.contentType,
      "content-length": answer.bytes.length,
    });
    response.end(answer.bytes);
    return;
  }
  if (!("body" in answer)) {
    response.writeHead(answer.status);
    response.end();
    return;
  }
  const payload = JSON.stringify(answer.body);
  response.writeHead(answer.status, {
    ...answer.headers,
    "content-type": "application/json",
    "content-length": Buffer.byteLength(payload),
  });
  response.end(payload);
}

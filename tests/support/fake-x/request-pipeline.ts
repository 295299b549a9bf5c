import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { callerToken } from "./auth.ts";
import type { Fault, FaultPlan } from "./faults.ts";
import type { RateLimiter } from "./rate-limits.ts";
import { loggableBody, type RequestBody, readRequestBody } from "./request-body.ts";
import {
  duplicateContent,
  type FakeResponse,
  routeNotFound,
  serverError,
  tooManyRequests,
  unauthorized,
} from "./responses.ts";
import { ROUTE_HANDLERS } from "./route-handlers.ts";
import { type FakeXRoute, matchRoute, type RouteMatch } from "./routes.ts";
import type { FakeXAccount, FakeXStore } from "./store.ts";

/** A request as the fake received it, kept so that tests can assert what the client sent. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  /** JSON as parsed; multipart fields as text, files as `{ bytes }`. */
  readonly body: unknown;
  /** The injected clock's time of arrival, in ms. */
  readonly at: number;
  /** null for a path X does not serve (answered 404). */
  readonly route: FakeXRoute | null;
}

export interface PipelineState {
  readonly store: FakeXStore;
  readonly limiter: RateLimiter;
  readonly faults: FaultPlan;
  readonly requests: RecordedRequest[];
}

type AnsweredFault = Exclude<
  Fault,
  { kind: "hang" } | { kind: "create_then_drop" } | { kind: "slow" }
>;

/** The https server's request listener: record, apply a queued fault or answer as X. */
export function requestListener(state: PipelineState) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    handle(state, request, response).catch((error: unknown) => {
      // A bug in the fake, not a simulated outage: say so loudly instead of imitating X.
      console.error("fake X failed to answer", error);
      if (!response.headersSent) {
        write(response, { status: 500, body: { title: "Fake X bug", detail: String(error) } });
      }
    });
  };
}

async function handle(state: PipelineState, request: IncomingMessage, response: ServerResponse) {
  const at = state.store.now();
  const url = new URL(request.url ?? "/", "https://fake-x.invalid");
  const method = request.method ?? "GET";
  const body = await readRequestBody(request);
  const match = matchRoute(method, url.pathname);
  state.requests.push({
    method,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: request.headers,
    body: loggableBody(body),
    at,
    route: match?.route ?? null,
  });
  if (match === undefined) return write(response, routeNotFound());

  const token = callerToken(request.headers);
  const account = token === undefined ? undefined : state.store.accountForToken(token);
  const fault = state.faults.take(match.route);
  // Left unanswered; FakeX.close() destroys the socket so the test run can end.
  if (fault?.kind === "hang") return;
  if (fault === undefined || fault.kind === "create_then_drop" || fault.kind === "slow") {
    const answer = answerAsX(state, match, account, url.searchParams, body);
    // X did the work, the answer is lost on the way: the client sees a network error.
    if (fault?.kind === "create_then_drop") request.socket.destroy();
    // X did the work, the answer is slow to come (FakeX.close() destroys the socket meanwhile).
    else if (fault?.kind === "slow") {
      setTimeout(() => {
        if (!response.destroyed) write(response, answer);
      }, fault.ms).unref();
    } else write(response, answer);
    return;
  }
  write(response, answerFault(state, fault, match.route, account));
}

function answerAsX(
  state: PipelineState,
  match: RouteMatch,
  account: FakeXAccount | undefined,
  query: URLSearchParams,
  body: RequestBody,
): FakeResponse {
  if (account === undefined) return unauthorized();
  const decision = state.limiter.take(match.route, account.userId);
  if (!decision.allowed) return { ...tooManyRequests(), headers: decision.headers };
  const answer = ROUTE_HANDLERS[match.route]({
    account,
    params: match.params,
    query,
    body,
    store: state.store,
  });
  return { ...answer, headers: { ...decision.headers, ...answer.headers } };
}

function answerFault(
  state: PipelineState,
  fault: AnsweredFault,
  route: FakeXRoute,
  account: FakeXAccount | undefined,
): FakeResponse {
  const headers = account === undefined ? {} : state.limiter.peek(route, account.userId);
  switch (fault.kind) {
    case "rate_limited": {
      const { headers } = state.limiter.exhausted(route, account?.userId, fault.resetInSeconds);
      return { ...tooManyRequests(), headers };
    }
    case "status":
      return { ...serverError(fault.status), headers };
    case "unauthorized":
      return unauthorized();
    case "duplicate":
      return { ...duplicateContent(), headers };
  }
}

function write(response: ServerResponse, answer: FakeResponse): void {
  const payload = JSON.stringify(answer.body);
  response.writeHead(answer.status, {
    // X sends its error bodies as RFC 7807 problems; twitter-api-v2 parses both types as JSON.
    "content-type":
      answer.status >= 400 ? "application/problem+json" : "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(payload),
    ...answer.headers,
  });
  response.end(payload);
}

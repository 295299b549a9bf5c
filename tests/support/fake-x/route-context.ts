import type { z } from "zod";
import type { RequestBody } from "./request-body.ts";
import { type FakeResponse, invalidRequest } from "./responses.ts";
import type { FakeXAccount, FakeXStore } from "./store.ts";

/** What a route handler gets: the authenticated caller and the parsed request. */
export interface RouteContext {
  readonly account: FakeXAccount;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly body: RequestBody;
  readonly store: FakeXStore;
}

export type RouteHandler = (context: RouteContext) => FakeResponse;

/** The JSON body read with `schema`, or the 400 X answers to a body it cannot accept. */
export function jsonBody<T>(
  body: RequestBody,
  schema: z.ZodType<T>,
): { ok: true; value: T } | { ok: false; response: FakeResponse } {
  const value = body.kind === "json" ? body.value : undefined;
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const parameter = issue?.path.join(".") || "body";
  return {
    ok: false,
    response: invalidRequest(parameter, JSON.stringify(value) ?? "", issue?.message ?? "invalid"),
  };
}

/** A comma-separated query parameter (`tweet.fields=a,b`) as a set. */
export function queryList(query: URLSearchParams, name: string): Set<string> {
  const value = query.get(name);
  return new Set(value === null || value === "" ? [] : value.split(","));
}

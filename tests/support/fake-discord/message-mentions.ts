import { isRecord } from "./message-drafts.ts";
import type { FormProblem } from "./responses.ts";

/** `allowed_mentions` as a create or edit body carries it (undefined when not sent). */
export interface AllowedMentions {
  readonly parse?: readonly string[] | undefined;
  readonly users?: readonly string[] | undefined;
  readonly roles?: readonly string[] | undefined;
  readonly replied_user?: boolean | undefined;
}

/** Whom a message notifies: @everyone / @here, members, roles. */
export interface Pings {
  readonly everyone: boolean;
  readonly users: readonly string[];
  readonly roles: readonly string[];
}

export function readAllowedMentions(value: unknown): AllowedMentions | undefined {
  if (!isRecord(value)) return undefined;
  const strings = (list: unknown) =>
    Array.isArray(list) ? list.filter((item) => typeof item === "string") : undefined;
  return {
    parse: strings(value.parse),
    users: strings(value.users),
    roles: strings(value.roles),
    replied_user: typeof value.replied_user === "boolean" ? value.replied_user : undefined,
  };
}

/**
 * Who the content notifies, by Discord's rules: without allowed_mentions every mention in the
 * text; with it, only the kinds listed in `parse` plus the ids in `users` and `roles`. Mentions
 * in embeds never notify anyone.
 */
export function pingsOf(content: string, allowed: AllowedMentions | undefined): Pings {
  const everyone = /@(?:everyone|here)\b/.test(content);
  const users = unique([...content.matchAll(/<@!?(\d+)>/g)].map((match) => match[1] ?? ""));
  const roles = unique([...content.matchAll(/<@&(\d+)>/g)].map((match) => match[1] ?? ""));
  if (allowed === undefined) return { everyone, users, roles };
  const parse = allowed.parse ?? [];
  return {
    everyone: everyone && parse.includes("everyone"),
    users: users.filter((id) => parse.includes("users") || (allowed.users ?? []).includes(id)),
    roles: roles.filter((id) => parse.includes("roles") || (allowed.roles ?? []).includes(id)),
  };
}

/** Discord refuses `parse: ["users"]` together with a `users` list (and the same for roles). */
export function allowedMentionsProblems(allowed: AllowedMentions | undefined): FormProblem[] {
  if (allowed === undefined) return [];
  return (["users", "roles"] as const)
    .filter((kind) => allowed.parse?.includes(kind) && (allowed[kind] ?? []).length > 0)
    .map((kind) => ({
      path: ["allowed_mentions", kind],
      code: "SET_TYPE_ALREADY_CONTAINS_VALUE",
      message: `parse:["${kind}"] and ${kind}: [ids] are mutually exclusive.`,
    }));
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

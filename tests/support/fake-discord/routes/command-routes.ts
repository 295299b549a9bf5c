import { refuseCommand, refuseCommands } from "../command-limits.ts";
import { isRecord } from "../message-drafts.ts";
import { bodyValue } from "../request-body.ts";
import { errors, type FakeResponse, json, NO_CONTENT } from "../responses.ts";
import { type Route, type RouteContext, route } from "../state.ts";

/**
 * The command scope of the path: a guild id, null for global commands, or the answer Discord
 * gives to another application's id or a guild the bot is not in.
 */
function scopeOf({ state, params }: RouteContext): string | null | FakeResponse {
  if (params.app !== state.applicationId) return errors.unauthorized();
  if (params.guild === undefined) return null;
  return state.guilds.guild(params.guild) === undefined ? errors.missingAccess() : params.guild;
}

function isAnswer(scope: string | null | FakeResponse): scope is FakeResponse {
  return scope !== null && typeof scope === "object";
}

function list(context: RouteContext): FakeResponse {
  const scope = scopeOf(context);
  return isAnswer(scope) ? scope : json(context.state.commands.list(scope));
}

/** PUT: bulk overwrite, the call `client.application.commands.set(commands, guildId)` makes. */
function overwrite(context: RouteContext): FakeResponse {
  const scope = scopeOf(context);
  if (isAnswer(scope)) return scope;
  const definitions = bodyValue(context.body);
  const refused = refuseCommands(definitions);
  if (refused !== undefined) return refused;
  const records = (definitions as unknown[]).filter(isRecord);
  return json(context.state.commands.overwrite(scope, records));
}

function create(context: RouteContext): FakeResponse {
  const scope = scopeOf(context);
  if (isAnswer(scope)) return scope;
  const definition = bodyValue(context.body);
  const refused = refuseCommand(definition);
  if (refused !== undefined || !isRecord(definition)) return refused ?? errors.invalidJson();
  const { command, created } = context.state.commands.upsert(scope, definition);
  return json(command, created ? 201 : 200);
}

function single(context: RouteContext): FakeResponse {
  const scope = scopeOf(context);
  if (isAnswer(scope)) return scope;
  const command = context.state.commands.list(scope).find((c) => c.id === context.params.command);
  return command === undefined ? errors.unknownApplicationCommand() : json(command);
}

function remove(context: RouteContext): FakeResponse {
  const scope = scopeOf(context);
  if (isAnswer(scope)) return scope;
  const removed = context.state.commands.remove(scope, context.params.command ?? "");
  return removed ? NO_CONTENT : errors.unknownApplicationCommand();
}

const GUILD = "/applications/:app/guilds/:guild/commands";
const GLOBAL = "/applications/:app/commands";

export const COMMAND_ROUTES: readonly Route[] = [GUILD, GLOBAL].flatMap((path) => [
  route("GET", path, list),
  route("PUT", path, overwrite),
  route("POST", path, create),
  route("GET", `${path}/:command`, single),
  route("DELETE", `${path}/:command`, remove),
]);

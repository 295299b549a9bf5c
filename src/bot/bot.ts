import { Client, Events, GatewayIntentBits, Routes } from "discord.js";
import type { Logger } from "../logger.ts";
import { COMMANDS } from "./commands/index.ts";
import type { BotContext } from "./context.ts";
import { createDispatcher } from "./dispatcher.ts";

export interface BotConnection {
  token: string;
  applicationId: string;
  guildId: string;
  /** DISCORD_API_BASE: the REST origin and path, e.g. https://discord.com/api. */
  apiBase: URL;
}

/** The discord.js client Herald talks through; REST calls go to DISCORD_API_BASE. */
export function createDiscordClient(connection: BotConnection): Client {
  return new Client({
    // Guilds is all Herald needs: slash commands, buttons and forms arrive as interactions.
    intents: [GatewayIntentBits.Guilds],
    rest: { api: connection.apiBase.href.replace(/\/$/, "") },
    // Nothing Herald sends pings anyone unless the message says whom: campaign names, post texts
    // and reasons are the team's words and may hold @everyone or a role. discord.js applies this
    // to every send, edit and interaction reply; the rejection notice names its author.
    allowedMentions: { parse: [] },
  });
}

/**
 * Logs in, registers the guild commands (a bulk overwrite, so registering again on every start
 * is idempotent) and starts answering interactions.
 */
export async function startBot(
  client: Client,
  connection: BotConnection,
  ctx: BotContext,
  logger: Logger,
): Promise<void> {
  const dispatch = createDispatcher(COMMANDS, ctx);
  client.on(Events.InteractionCreate, (interaction) => void dispatch(interaction));
  client.on(Events.Error, (error) => logger.error({ err: error }, "discord client error"));
  client.on(Events.ShardDisconnect, (_event, shard) =>
    logger.warn({ shard }, "gateway disconnected"),
  );
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(connection.token);
  await ready;
  await client.rest.put(
    Routes.applicationGuildCommands(connection.applicationId, connection.guildId),
    {
      body: COMMANDS.map((command) => command.data),
    },
  );
  logger.info({ guild: connection.guildId, commands: COMMANDS.length }, "discord bot ready");
}

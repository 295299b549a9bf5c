import { join } from "node:path";
import { PermissionFlagsBits } from "discord.js";
import { pino } from "pino";
import { loadConfig } from "../../src/config.ts";
import type { Clock } from "../../src/domain/ports.ts";
import { type Herald, startHerald } from "../../src/main.ts";
import { type FakeDiscord, startFakeDiscord } from "./fake-discord/server.ts";
import { type FakeX, startFakeX } from "./fake-x/server.ts";
import type { FakeXAccount } from "./fake-x/store.ts";
import { makeTempDir } from "./temp-dir.ts";

/** The ids of the fake team's server: who is in it, its channels and its roles. */
export const TEAM = {
  applicationId: "100000000000000001",
  token: "e2e-discord-bot-token",
  guildId: "200000000000000001",
  otherGuildId: "200000000000000002",
  channels: {
    general: "300000000000000001",
    approvals: "300000000000000002",
    reports: "300000000000000003",
    elsewhere: "300000000000000009",
  },
  roles: {
    approvers: "400000000000000001",
    content: "400000000000000002",
    /** Manage Server: nobody holds it at start; tests give it to take it away again. */
    managers: "400000000000000004",
    /** The bot's own role, made by its invite with the permissions the README asks for. */
    herald: "400000000000000003",
  },
  /** The owner: every permission, so Herald's admin. */
  admin: "500000000000000001",
  /** Holds the content role: creates campaigns and queues posts. */
  manager: "500000000000000002",
  /** Holds the approver role. */
  approver: "500000000000000003",
  /** Holds no Herald role. */
  member: "500000000000000004",
} as const;

/** The X account the team connects through /x connect; the fake X knows it by its token. */
export const TEAM_X = {
  userId: "1790000000000000200",
  username: "team_deals",
  accessToken: "team-access-token",
} as const;

export const TEAM_X_KEYS = {
  api_key: "team-app-key",
  api_secret: "team-app-secret",
  access_token: TEAM_X.accessToken,
  access_secret: "team-access-secret",
} as const;

/** HERALD_SECRET_KEY of the service under test, for a test that opens its database itself. */
export const E2E_SECRET_KEY = Buffer.alloc(32, 5);

/** The invite's permission integer in the README: view, send, embed links, attach files, history. */
const BOT_INVITE_PERMISSIONS = "117760";

const MEMBER_PERMISSIONS = String(
  PermissionFlagsBits.ViewChannel |
    PermissionFlagsBits.SendMessages |
    PermissionFlagsBits.UseApplicationCommands,
);

export interface E2E {
  discord: FakeDiscord;
  fakeX: FakeX;
  /** The running service; replaced by restart(). */
  readonly herald: Herald;
  /** The SQLite file the service keeps its state in across restarts (unused with databaseUrl). */
  readonly databaseFile: string;
  /** Stops the service and starts it again on the same database, as after a deploy. */
  restart(): Promise<void>;
  /** Another instance of the service on the same database and Discord bot (stopped by close()). */
  startInstance(): Promise<Herald>;
  close(): Promise<void>;
}

/**
 * Herald's real composition root against a fake Discord and a fake X on loopback, with a
 * temporary SQLite file: the whole service as a team would run it.
 */
export async function startE2E(
  options: {
    clock?: Clock;
    /** A migrated PostgreSQL schema's URL instead of the temporary SQLite file. */
    databaseUrl?: string;
    /** More environment values, as a team sets them in .env (e.g. the X_API_* default account, or HERALD_PUBLIC_URL and HERALD_HTTP_PORT=0 for the web server). */
    env?: Readonly<Record<string, string>>;
    /** Accounts the fake X knows besides the team's. */
    xAccounts?: readonly FakeXAccount[];
    /** Runs before Herald starts, e.g. to make the fake X fail its first requests. */
    beforeStart?: (fakeX: FakeX) => void;
  } = {},
): Promise<E2E> {
  const temp = makeTempDir("herald-e2e-");
  const databaseFile = join(temp.dir, "data", "herald.db");
  const discord = await startFakeDiscord({
    applicationId: TEAM.applicationId,
    botToken: TEAM.token,
    guilds: [
      {
        id: TEAM.guildId,
        name: "Affiliate Team",
        ownerId: TEAM.admin,
        channels: [
          { id: TEAM.channels.general, name: "general" },
          { id: TEAM.channels.approvals, name: "approvals" },
          { id: TEAM.channels.reports, name: "reports" },
        ],
        roles: [
          { id: TEAM.guildId, name: "@everyone", permissions: MEMBER_PERMISSIONS },
          { id: TEAM.roles.approvers, name: "Approvers", permissions: "0" },
          { id: TEAM.roles.content, name: "Content", permissions: "0" },
          {
            id: TEAM.roles.managers,
            name: "Server Managers",
            permissions: String(PermissionFlagsBits.ManageGuild),
          },
          { id: TEAM.roles.herald, name: "Herald", permissions: BOT_INVITE_PERMISSIONS },
        ],
        botRoleIds: [TEAM.roles.herald],
        members: [
          { id: TEAM.admin, username: "ada_admin" },
          { id: TEAM.manager, username: "max_manager", roleIds: [TEAM.roles.content] },
          { id: TEAM.approver, username: "april_approver", roleIds: [TEAM.roles.approvers] },
          { id: TEAM.member, username: "milo_member" },
        ],
      },
      {
        id: TEAM.otherGuildId,
        name: "Some Other Server",
        ownerId: TEAM.admin,
        channels: [{ id: TEAM.channels.elsewhere, name: "general" }],
        members: [{ id: TEAM.admin, username: "ada_admin" }],
      },
    ],
  });
  const fakeX = await startFakeX({ accounts: [TEAM_X, ...(options.xAccounts ?? [])] });
  const config = loadConfig({
    DISCORD_TOKEN: TEAM.token,
    DISCORD_APPLICATION_ID: TEAM.applicationId,
    DISCORD_GUILD_ID: TEAM.guildId,
    DISCORD_API_BASE: discord.apiBase,
    X_API_BASE: fakeX.url,
    DATABASE_URL: options.databaseUrl ?? `file:${databaseFile}`,
    HERALD_SECRET_KEY: E2E_SECRET_KEY.toString("base64"),
    ...options.env,
  });
  const logger = pino({ level: process.env.HERALD_TEST_LOG ?? "silent" });
  const start = () =>
    startHerald(config, logger, {
      xHttpAgent: fakeX.agent,
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    });
  options.beforeStart?.(fakeX);
  let herald = await start();
  const others: Herald[] = [];
  return {
    discord,
    fakeX,
    get herald() {
      return herald;
    },
    databaseFile,
    async restart() {
      await herald.stop();
      herald = await start();
    },
    async startInstance() {
      const other = await start();
      others.push(other);
      return other;
    },
    async close() {
      await Promise.all([herald, ...others].map((instance) => instance.stop()));
      await discord.close();
      await fakeX.close();
      temp.remove();
    },
  };
}

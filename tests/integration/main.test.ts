import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { postgresTarget } from "../../src/db/database-url.ts";
import { type FakeDiscord, startFakeDiscord } from "../support/fake-discord/server.ts";
import {
  createPostgresSchema,
  noticePostgresSkipped,
  testPostgresUrl,
} from "../support/postgres.ts";
import { makeTempDir } from "../support/temp-dir.ts";
import { spawnTsx, type TsxChild } from "../support/tsx-child.ts";

if (testPostgresUrl() === undefined) noticePostgresSkipped("main.test.ts");

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function startMain(env: Record<string, string>, cwd: string): TsxChild {
  const main = spawnTsx(MAIN, { cwd, env });
  cleanups.push(() => main.child.kill("SIGKILL"));
  return main;
}

function waitForLine(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = "";
    child.stdout?.on("data", (chunk) => {
      buffered += String(chunk);
      const line = buffered.split("\n").find((l) => pattern.test(l));
      if (line !== undefined) resolve(line);
    });
    child.on("exit", (code) => reject(new Error(`exited with ${code} before ${pattern}`)));
  });
}

const DISCORD = {
  DISCORD_TOKEN: "discord-test-token",
  DISCORD_APPLICATION_ID: "111111111111111111",
  DISCORD_GUILD_ID: "222222222222222222",
};

// The service logs in to Discord before it says ready: a fake Discord in this process serves it.
let discord: FakeDiscord;
let validEnv: Record<string, string>;
beforeAll(async () => {
  discord = await startFakeDiscord({
    applicationId: DISCORD.DISCORD_APPLICATION_ID,
    botToken: DISCORD.DISCORD_TOKEN,
    guilds: [
      {
        id: DISCORD.DISCORD_GUILD_ID,
        name: "Team",
        channels: [{ id: "333333333333333333", name: "general" }],
        members: [{ id: "444444444444444444", username: "owner" }],
      },
    ],
  });
  validEnv = {
    ...DISCORD,
    DISCORD_API_BASE: discord.apiBase,
    HERALD_SECRET_KEY: Buffer.alloc(32, 3).toString("base64"),
    LOG_LEVEL: "info",
  };
});
afterAll(() => discord.close());

describe("main", () => {
  it("given an empty data folder, migrates, says ready, and stops on SIGTERM within 5 s", async () => {
    const temp = makeTempDir();
    cleanups.push(temp.remove);
    const file = join(temp.dir, "data", "herald.db");
    const main = startMain({ ...validEnv, DATABASE_URL: `file:${file}` }, temp.dir);

    const ready = JSON.parse(await waitForLine(main.child, /"msg":"ready"/));
    expect(ready.guild).toBe("222222222222222222");
    expect(main.output().stdout).not.toContain("discord-test-token");

    const db = new Database(file, { readonly: true });
    const applied = db.prepare(`SELECT migration_name FROM "_prisma_migrations"`).all();
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all();
    const journal = db.pragma("journal_mode", { simple: true });
    db.close();
    expect(applied.length).toBeGreaterThan(0);
    expect(tables).toContainEqual({ name: "Post" });
    expect(journal).toBe("wal");

    const stoppedAt = Date.now();
    main.child.kill("SIGTERM");
    expect(await main.exited).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(5000);
    expect(main.output().stdout).toContain('"msg":"stopped"');
    const registration = discord.commandRegistrations.at(-1);
    expect(registration?.guildId).toBe(DISCORD.DISCORD_GUILD_ID);
  });

  it("given a relative DATABASE_URL, creates the file under the working directory", async () => {
    const temp = makeTempDir();
    cleanups.push(temp.remove);
    const main = startMain({ ...validEnv, DATABASE_URL: "file:./data/herald.db" }, temp.dir);
    await waitForLine(main.child, /"msg":"ready"/);
    main.child.kill("SIGINT");
    expect(await main.exited).toBe(0);
    expect(existsSync(join(temp.dir, "data", "herald.db"))).toBe(true);
  });

  it("given a PostgreSQL that cannot be reached, retries with backoff for the bounded time, names the host, and exits non-zero", async () => {
    const temp = makeTempDir();
    cleanups.push(temp.remove);
    const startedAt = Date.now();
    // Port 1 on loopback: nothing listens, so every try is refused at once.
    const main = startMain(
      {
        ...validEnv,
        DATABASE_URL: "postgresql://herald:hunter2@127.0.0.1:1/herald",
        HERALD_DB_CONNECT_TIMEOUT_SECONDS: "3",
      },
      temp.dir,
    );

    expect(await main.exited).toBe(1);
    const { stdout, stderr } = main.output();
    const retries = stdout.split("\n").filter((line) => line.includes("trying again"));
    expect(retries.length).toBeGreaterThanOrEqual(2);
    expect(JSON.parse(retries[0] ?? "{}")).toMatchObject({ database: "127.0.0.1:1/herald" });
    expect(stderr).toMatch(
      /Herald cannot start: Cannot reach PostgreSQL at 127\.0\.0\.1:1\/herald \(from DATABASE_URL\): tried \d+ times over [23] s; last error: .*ECONNREFUSED/,
    );
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(3_000);
    expect(stdout + stderr).not.toContain("hunter2");
  });

  it.runIf(testPostgresUrl() !== undefined)(
    "given a postgresql:// DATABASE_URL, migrates that schema, says ready, and stops on SIGTERM",
    async () => {
      const schema = await createPostgresSchema(testPostgresUrl() ?? "", "main", false);
      try {
        const temp = makeTempDir();
        cleanups.push(temp.remove);
        const main = startMain({ ...validEnv, DATABASE_URL: schema.url }, temp.dir);
        const ready = JSON.parse(await waitForLine(main.child, /"msg":"database ready"/));
        expect(ready.database).toBe(postgresTarget(schema.url).where);
        await waitForLine(main.child, /"msg":"ready"/);

        const client = await schema.client();
        const { rows } = await client.query(
          `SELECT tablename FROM pg_tables WHERE schemaname = $1 AND tablename = 'Post'`,
          [schema.name],
        );
        expect(rows).toHaveLength(1);
        main.child.kill("SIGTERM");
        expect(await main.exited).toBe(0);
      } finally {
        await schema.drop();
      }
    },
  );

  it("given invalid configuration, lists every problem, exits non-zero and writes nothing", async () => {
    const temp = makeTempDir();
    cleanups.push(temp.remove);
    const main = startMain(
      {
        DISCORD_GUILD_ID: "not-an-id",
        HERALD_SECRET_KEY: "short",
        DATABASE_URL: "file:./data/h.db",
      },
      temp.dir,
    );
    expect(await main.exited).toBe(1);
    const { stderr } = main.output();
    expect(stderr).toContain("DISCORD_TOKEN is missing");
    expect(stderr).toContain("DISCORD_APPLICATION_ID is missing");
    expect(stderr).toContain("DISCORD_GUILD_ID must be a Discord id");
    expect(stderr).toContain("HERALD_SECRET_KEY must be 32 bytes");
    expect(existsSync(join(temp.dir, "data"))).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.ts";

const KEY = Buffer.alloc(32, 7).toString("base64");
const VALID = {
  DISCORD_TOKEN: "discord-token",
  DISCORD_APPLICATION_ID: "111111111111111111",
  DISCORD_GUILD_ID: "222222222222222222",
  HERALD_SECRET_KEY: KEY,
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("configuration", () => {
  it("given the required values, fills in the documented defaults", () => {
    const config = loadConfig(VALID);
    expect(config.databaseUrl).toBe("file:./data/herald.db");
    expect(config.discord.apiBase.href).toBe("https://discord.com/api");
    expect(config.x.apiBase.origin).toBe("https://api.x.com");
    expect(config.x.defaultAccount).toBeNull();
    expect(config.logLevel).toBe("info");
    expect(config.secretKey).toEqual(Buffer.alloc(32, 7));
    expect(config.databaseConnectTimeoutMs).toBe(60_000);
    expect(config.mediaDir).toBeNull();
    expect(config.mediaRetentionDays).toBe(7);
  });

  it("given a postgresql:// DATABASE_URL and a connect timeout, selects PostgreSQL with that bound", () => {
    const config = loadConfig({
      ...VALID,
      DATABASE_URL: "postgresql://herald:secret@db:5432/herald",
      HERALD_DB_CONNECT_TIMEOUT_SECONDS: "5",
      HERALD_MEDIA_DIR: "/data/media",
      HERALD_MEDIA_RETENTION_DAYS: "30",
    });
    expect(config.databaseUrl).toBe("postgresql://herald:secret@db:5432/herald");
    expect(config.databaseConnectTimeoutMs).toBe(5_000);
    expect(config.mediaDir).toBe("/data/media");
    expect(config.mediaRetentionDays).toBe(30);
  });

  it("given a PostgreSQL URL that does not parse, says how to write one", () => {
    expect(problemsOf({ ...VALID, DATABASE_URL: "postgresql://herald:se cret@db:port/x" })).toEqual(
      ["DATABASE_URL is not a valid URL; write it as postgresql://user:password@host:5432/herald"],
    );
  });

  it("given an empty environment, lists every missing value at once", () => {
    expect(problemsOf({})).toEqual([
      "DISCORD_TOKEN is missing",
      "DISCORD_APPLICATION_ID is missing",
      "DISCORD_GUILD_ID is missing",
      "HERALD_SECRET_KEY is missing (make one with: openssl rand -base64 32)",
    ]);
  });

  it("given several malformed values, reports each with what to do", () => {
    const problems = problemsOf({
      ...VALID,
      DISCORD_GUILD_ID: "my-server",
      HERALD_SECRET_KEY: Buffer.alloc(16).toString("base64"),
      X_API_BASE: "http://api.x.com",
      LOG_LEVEL: "loud",
      DATABASE_URL: "mysql://db",
      X_API_KEY: "key",
    });
    expect([...problems].sort()).toEqual(
      [
        "DATABASE_URL must be file:./path/to/herald.db (SQLite) or postgresql://user@host/db",
        "DISCORD_GUILD_ID must be a Discord id (17 to 20 digits)",
        "HERALD_SECRET_KEY must be 32 bytes encoded as base64; make one with: openssl rand -base64 32 (the value decodes to 16 bytes)",
        "X_API_BASE must start with https:// (the X client only speaks HTTPS)",
        "LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent",
        "The default X account needs all four X_* values; missing: X_API_SECRET, X_ACCESS_TOKEN, X_ACCESS_SECRET",
      ].sort(),
    );
  });

  it("syncs metrics hourly, reading at most 2,000 posts a run, unless told otherwise; refuses a cadence that does not divide a day", () => {
    expect(loadConfig(VALID).metrics).toMatchObject({ syncEveryMinutes: 60, readsPerRun: 2_000 });
    expect(
      loadConfig({
        ...VALID,
        HERALD_METRICS_SYNC_MINUTES: "15",
        HERALD_METRICS_READS_PER_RUN: "500",
      }).metrics,
    ).toMatchObject({ syncEveryMinutes: 15, readsPerRun: 500 });
    expect(
      problemsOf({ ...VALID, HERALD_METRICS_SYNC_MINUTES: "7", HERALD_METRICS_READS_PER_RUN: "0" }),
    ).toEqual([
      "HERALD_METRICS_SYNC_MINUTES must divide a day evenly, such as 15, 60 or 360",
      "HERALD_METRICS_READS_PER_RUN must be 1 or more",
    ]);
  });

  it("reads metrics at 3, 7, 14 and 29 days and prices X calls at X's published prices unless told otherwise; refuses ages out of order or a price of an unknown call", () => {
    const defaults = loadConfig(VALID);
    expect(defaults.metrics.agesDays).toEqual([3, 7, 14, 29]);
    expect(defaults.x.prices).toEqual({
      post_create: 0.015,
      post_create_url: 0.2,
      media_metadata: 0.005,
      post_read: 0.005,
      owned_read: 0.001,
      user_lookup: 0.01,
    });
    const tuned = loadConfig({
      ...VALID,
      HERALD_METRICS_AGES: "2, 5.5, 28",
      HERALD_X_PRICES: "post_read=0.004, owned_read=0.0008",
    });
    expect(tuned.metrics.agesDays).toEqual([2, 5.5, 28]);
    expect(tuned.x.prices).toMatchObject({
      post_read: 0.004,
      owned_read: 0.0008,
      post_create: 0.015,
    });
    expect(problemsOf({ ...VALID, HERALD_METRICS_AGES: "7,3" })).toEqual([
      'HERALD_METRICS_AGES must be ascending days between 1 and 29, such as 3,7,14,29 (got "7,3")',
    ]);
    expect(problemsOf({ ...VALID, HERALD_METRICS_AGES: "3,30" })).toHaveLength(1);
    expect(problemsOf({ ...VALID, HERALD_X_PRICES: "post_reads=0.004" })).toEqual([
      'HERALD_X_PRICES must be kind=usd pairs separated by commas, kinds among post_create, post_create_url, media_metadata, post_read, owned_read, user_lookup (got "post_reads=0.004")',
    ]);
    expect(problemsOf({ ...VALID, HERALD_X_PRICES: "post_read=-1" })).toHaveLength(1);
  });

  it("refuses an X_API_BASE with a path, because the client appends /2/... itself", () => {
    expect(problemsOf({ ...VALID, X_API_BASE: "https://proxy.example/x" })).toEqual([
      "X_API_BASE must be an origin with no path, such as https://api.x.com",
    ]);
  });

  it("given all four X values, builds the default account", () => {
    const config = loadConfig({
      ...VALID,
      X_API_KEY: "k",
      X_API_SECRET: "s",
      X_ACCESS_TOKEN: "t",
      X_ACCESS_SECRET: "ts",
    });
    expect(config.x.defaultAccount).toEqual({
      appKey: "k",
      appSecret: "s",
      accessToken: "t",
      accessSecret: "ts",
    });
  });

  it("treats empty optional values as absent, as an .env copied from .env.example has them", () => {
    const config = loadConfig({ ...VALID, X_API_KEY: "", X_API_SECRET: " ", LOG_LEVEL: "" });
    expect(config.x.defaultAccount).toBeNull();
    expect(config.logLevel).toBe("info");
    expect(problemsOf({ ...VALID, DISCORD_TOKEN: "" })).toEqual(["DISCORD_TOKEN is missing"]);
  });

  it("the error message lists one problem per line", () => {
    expect(() => loadConfig({})).toThrow(
      /fix these settings[^\n]*\n {2}- DISCORD_TOKEN is missing\n/,
    );
  });

  it("given HERALD_PREVIOUS_SECRET_KEYS, reads each comma-separated key; none by default", () => {
    expect(loadConfig(VALID).previousSecretKeys).toEqual([]);
    const previous = [Buffer.alloc(32, 1), Buffer.alloc(32, 2)];
    const config = loadConfig({
      ...VALID,
      HERALD_PREVIOUS_SECRET_KEYS: previous.map((key) => key.toString("base64")).join(", "),
    });
    expect(config.previousSecretKeys).toEqual(previous);
  });

  it("given a previous key that is not 32 bytes of base64, says which setting is wrong", () => {
    expect(problemsOf({ ...VALID, HERALD_PREVIOUS_SECRET_KEYS: `${KEY},short` })).toEqual([
      expect.stringMatching(/^HERALD_PREVIOUS_SECRET_KEYS: each key must be 32 bytes/),
    ]);
  });

  it("given no HERALD_PUBLIC_URL, runs no web server; given one, serves on HERALD_HTTP_PORT (8080 by default)", () => {
    expect(loadConfig(VALID).http).toBeNull();
    const http = loadConfig({ ...VALID, HERALD_PUBLIC_URL: "https://go.example.com" }).http;
    expect([http?.publicUrl.href, http?.port]).toEqual(["https://go.example.com/", 8080]);
    const custom = loadConfig({
      ...VALID,
      HERALD_PUBLIC_URL: "https://go.example.com",
      HERALD_HTTP_PORT: "9000",
    });
    expect(custom.http?.port).toBe(9000);
  });

  it("given a public URL that is not http(s) or carries a query, or a port past 65535, says what to fix", () => {
    expect(problemsOf({ ...VALID, HERALD_PUBLIC_URL: "ftp://go.example.com" })).toEqual([
      "HERALD_PUBLIC_URL must be a URL such as https://go.example.com",
    ]);
    expect(problemsOf({ ...VALID, HERALD_PUBLIC_URL: "https://go.example.com/?a=1" })[0]).toContain(
      "no query",
    );
    expect(problemsOf({ ...VALID, HERALD_HTTP_PORT: "70000" })[0]).toContain("HERALD_HTTP_PORT");
  });
});

import { z } from "zod";
import { DEFAULT_METRICS_AGES_DAYS } from "./domain/metrics-cadence.ts";
import { parseSecretKey } from "./domain/secrets.ts";
import { DEFAULT_X_PRICES, isXCallKind, X_CALL_KINDS, type XPrices } from "./domain/x-prices.ts";

/**
 * The environment, validated once at start (design.md section 8). Everything else reads the typed
 * Config; nothing reads process.env directly.
 */
const snowflake = (what: string) =>
  z
    .string({ error: `${what} is missing` })
    .trim()
    .regex(/^\d{17,20}$/, `${what} must be a Discord id (17 to 20 digits)`);

const secretKey = z
  .string({ error: "HERALD_SECRET_KEY is missing (make one with: openssl rand -base64 32)" })
  .transform((value, ctx) => {
    try {
      return parseSecretKey(value);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
      return z.NEVER;
    }
  });

/** An origin without a path: clients append their own versioned paths (/api/v10, /2/tweets). */
/** HERALD_PREVIOUS_SECRET_KEYS: keys credentials may still be sealed with, comma-separated. */
const previousSecretKeys = z
  .string()
  .default("")
  .transform((value, ctx) => {
    const keys: Buffer[] = [];
    for (const part of value
      .split(",")
      .map((key) => key.trim())
      .filter((key) => key !== "")) {
      try {
        keys.push(parseSecretKey(part));
      } catch (error) {
        ctx.addIssue({
          code: "custom",
          message: `HERALD_PREVIOUS_SECRET_KEYS: ${(error as Error).message.replace("HERALD_SECRET_KEY", "each key")}`,
        });
        return z.NEVER;
      }
    }
    return keys;
  });

const apiBase = (name: string, fallback: string, httpsOnly: boolean) =>
  z
    .string()
    .trim()
    .default(fallback)
    .refine((value) => URL.canParse(value), `${name} must be a URL such as ${fallback}`)
    .transform((value) => new URL(value))
    .refine(
      (url) => !httpsOnly || url.protocol === "https:",
      `${name} must start with https:// (the X client only speaks HTTPS)`,
    )
    .refine(
      (url) => url.protocol === "https:" || url.protocol === "http:",
      `${name} must start with https:// or http://`,
    );

/** Where readers reach Herald's web server: tracked links are built on it (/r/<code>). */
const publicUrl = z
  .string()
  .trim()
  .refine(
    (value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol),
    "HERALD_PUBLIC_URL must be a URL such as https://go.example.com",
  )
  .transform((value) => new URL(value))
  .refine(
    (url) => url.search === "" && url.hash === "" && url.username === "",
    "HERALD_PUBLIC_URL must have no query, fragment or user name, such as https://go.example.com",
  );

/** A whole number from the environment, e.g. a posting budget. */
const count = (name: string, fallback: number) =>
  z.coerce
    .number({ error: `${name} must be a whole number` })
    .int(`${name} must be a whole number`)
    .min(0, `${name} must be 0 or more`)
    .max(100_000, `${name} must be at most 100000`)
    .default(fallback);

export const databaseUrlSchema = z
  .string()
  .trim()
  .default("file:./data/herald.db")
  .refine(
    (value) => /^file:.+/.test(value) || /^postgres(ql)?:\/\//.test(value),
    "DATABASE_URL must be file:./path/to/herald.db (SQLite) or postgresql://user@host/db",
  )
  .refine(
    (value) => !/^postgres(ql)?:\/\//.test(value) || URL.canParse(value),
    "DATABASE_URL is not a valid URL; write it as postgresql://user:password@host:5432/herald",
  );

const optional = z.string().trim().optional();

/** Ages in days, ascending, after the first day and before X drops non-public metrics (30 days). */
const metricsAges = z
  .string()
  .trim()
  .optional()
  .transform((value, ctx) => {
    if (value === undefined) return DEFAULT_METRICS_AGES_DAYS;
    const ages = value.split(",").map((part) => Number(part.trim()));
    const ascending = ages.every((age, i) => i === 0 || age > (ages[i - 1] ?? 0));
    if (ages.some((age) => !Number.isFinite(age) || age < 1 || age > 29) || !ascending) {
      ctx.addIssue({
        code: "custom",
        message: `HERALD_METRICS_AGES must be ascending days between 1 and 29, such as 3,7,14,29 (got "${value}")`,
      });
      return z.NEVER;
    }
    return ages;
  });

/** `kind=usd` pairs over X's published prices, e.g. post_read=0.005,owned_read=0.001. */
const xPrices = z
  .string()
  .trim()
  .optional()
  .transform((value, ctx): XPrices => {
    if (value === undefined) return DEFAULT_X_PRICES;
    const prices: Record<string, number> = { ...DEFAULT_X_PRICES };
    for (const pair of value.split(",")) {
      const [kind = "", price = ""] = pair.split("=").map((part) => part.trim());
      const usd = Number(price);
      if (!isXCallKind(kind) || price === "" || !Number.isFinite(usd) || usd < 0) {
        ctx.addIssue({
          code: "custom",
          message: `HERALD_X_PRICES must be kind=usd pairs separated by commas, kinds among ${X_CALL_KINDS.join(", ")} (got "${pair}")`,
        });
        return z.NEVER;
      }
      prices[kind] = usd;
    }
    return prices as XPrices;
  });

const envSchema = z.object({
  DISCORD_TOKEN: z.string({ error: "DISCORD_TOKEN is missing" }).trim(),
  DISCORD_APPLICATION_ID: snowflake("DISCORD_APPLICATION_ID"),
  DISCORD_GUILD_ID: snowflake("DISCORD_GUILD_ID"),
  DATABASE_URL: databaseUrlSchema,
  HERALD_SECRET_KEY: secretKey,
  HERALD_PREVIOUS_SECRET_KEYS: previousSecretKeys,
  X_API_KEY: optional,
  X_API_SECRET: optional,
  X_ACCESS_TOKEN: optional,
  X_ACCESS_SECRET: optional,
  DISCORD_API_BASE: apiBase("DISCORD_API_BASE", "https://discord.com/api", false),
  X_API_BASE: apiBase("X_API_BASE", "https://api.x.com", true).refine(
    (url) => url.pathname === "/" && url.search === "",
    "X_API_BASE must be an origin with no path, such as https://api.x.com",
  ),
  HERALD_POSTS_PER_24H: count("HERALD_POSTS_PER_24H", 100),
  HERALD_POSTS_PER_15MIN: count("HERALD_POSTS_PER_15MIN", 100),
  HERALD_LATE_GRACE_MINUTES: count("HERALD_LATE_GRACE_MINUTES", 15),
  HERALD_DB_CONNECT_TIMEOUT_SECONDS: count("HERALD_DB_CONNECT_TIMEOUT_SECONDS", 60),
  HERALD_MEDIA_DIR: optional,
  HERALD_MEDIA_RETENTION_DAYS: count("HERALD_MEDIA_RETENTION_DAYS", 7),
  HERALD_METRICS_SYNC_MINUTES: count("HERALD_METRICS_SYNC_MINUTES", 60).refine(
    (minutes) => minutes > 0 && (24 * 60) % minutes === 0,
    "HERALD_METRICS_SYNC_MINUTES must divide a day evenly, such as 15, 60 or 360",
  ),
  HERALD_METRICS_READS_PER_RUN: count("HERALD_METRICS_READS_PER_RUN", 2_000).refine(
    (reads) => reads > 0,
    "HERALD_METRICS_READS_PER_RUN must be 1 or more",
  ),
  HERALD_METRICS_AGES: metricsAges,
  HERALD_X_PRICES: xPrices,
  HERALD_PUBLIC_URL: publicUrl.optional(),
  HERALD_HTTP_PORT: count("HERALD_HTTP_PORT", 8080).refine(
    (port) => port <= 65_535,
    "HERALD_HTTP_PORT must be a port between 0 and 65535",
  ),
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
      error: "LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent",
    })
    .default("info"),
});

const X_ACCOUNT_KEYS = ["X_API_KEY", "X_API_SECRET", "X_ACCESS_TOKEN", "X_ACCESS_SECRET"] as const;

/** Checked on the raw environment so it is reported together with every other problem. */
function defaultAccountProblems(env: Readonly<Record<string, string | undefined>>): string[] {
  const given = X_ACCOUNT_KEYS.filter((key) => env[key] !== undefined);
  if (given.length === 0 || given.length === X_ACCOUNT_KEYS.length) return [];
  const missing = X_ACCOUNT_KEYS.filter((key) => !given.includes(key));
  return [`The default X account needs all four X_* values; missing: ${missing.join(", ")}`];
}

export interface XAppCredentials {
  appKey: string;
  appSecret: string;
  accessToken: string;
  accessSecret: string;
}

export interface Config {
  discord: { token: string; applicationId: string; guildId: string; apiBase: URL };
  databaseUrl: string;
  /** How long start keeps trying an unreachable PostgreSQL before it gives up. */
  databaseConnectTimeoutMs: number;
  /**
   * Where uploaded media is kept until published; next to the SQLite file by default. Several
   * instances on PostgreSQL must share it (a volume), as any of them may publish the post.
   */
  mediaDir: string | null;
  /** Days the media of a published or cancelled post is kept before it is deleted. */
  mediaRetentionDays: number;
  secretKey: Buffer;
  /**
   * Keys used before HERALD_SECRET_KEY: credentials sealed with one still open, and are sealed
   * again with the current key at start (key rotation).
   */
  previousSecretKeys: Buffer[];
  x: {
    apiBase: URL;
    defaultAccount: XAppCredentials | null;
    /** What X bills per call (HERALD_X_PRICES over X's published prices). */
    prices: XPrices;
  };
  publishing: {
    /** Local posting budget per X account, under X's own limits (design.md section 4). */
    budget: { per24Hours: number; per15Minutes: number };
    /** After downtime, posts later than this are marked missed instead of sent late. */
    lateGraceMs: number;
  };
  metrics: {
    /** Minutes between metrics syncs, on UTC multiples (60: on the hour). */
    syncEveryMinutes: number;
    /** Most posts one sync reads from X, so a backlog cannot use up the account's read allowance. */
    readsPerRun: number;
    /** After its first day, a post is read once at each of these ages, in days. */
    agesDays: readonly number[];
  };
  /**
   * Herald's own web server (design.md section 13): tracked links and postbacks. Null when
   * HERALD_PUBLIC_URL is not set; then no server is started and links go to X as typed.
   */
  http: { publicUrl: URL; port: number } | null;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";

  constructor(readonly problems: string[]) {
    super(
      `Herald cannot start; fix these settings (in .env or the environment):\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  }
}

export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  // An .env copied from .env.example has `NAME=` lines: empty means "not set", so defaults apply.
  const given = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ""),
  );
  const result = envSchema.safeParse(given);
  const problems = [
    ...(result.success ? [] : result.error.issues.map((issue) => issue.message)),
    ...defaultAccountProblems(given),
  ];
  if (!result.success || problems.length > 0) {
    throw new ConfigError(problems);
  }
  const e = result.data;
  return {
    discord: {
      token: e.DISCORD_TOKEN,
      applicationId: e.DISCORD_APPLICATION_ID,
      guildId: e.DISCORD_GUILD_ID,
      apiBase: e.DISCORD_API_BASE,
    },
    databaseUrl: e.DATABASE_URL,
    databaseConnectTimeoutMs: e.HERALD_DB_CONNECT_TIMEOUT_SECONDS * 1000,
    mediaDir: e.HERALD_MEDIA_DIR ?? null,
    mediaRetentionDays: e.HERALD_MEDIA_RETENTION_DAYS,
    secretKey: e.HERALD_SECRET_KEY,
    previousSecretKeys: e.HERALD_PREVIOUS_SECRET_KEYS,
    x: {
      apiBase: e.X_API_BASE,
      defaultAccount:
        e.X_API_KEY && e.X_API_SECRET && e.X_ACCESS_TOKEN && e.X_ACCESS_SECRET
          ? {
              appKey: e.X_API_KEY,
              appSecret: e.X_API_SECRET,
              accessToken: e.X_ACCESS_TOKEN,
              accessSecret: e.X_ACCESS_SECRET,
            }
          : null,
      prices: e.HERALD_X_PRICES,
    },
    publishing: {
      budget: { per24Hours: e.HERALD_POSTS_PER_24H, per15Minutes: e.HERALD_POSTS_PER_15MIN },
      lateGraceMs: e.HERALD_LATE_GRACE_MINUTES * 60_000,
    },
    metrics: {
      syncEveryMinutes: e.HERALD_METRICS_SYNC_MINUTES,
      readsPerRun: e.HERALD_METRICS_READS_PER_RUN,
      agesDays: e.HERALD_METRICS_AGES,
    },
    http:
      e.HERALD_PUBLIC_URL === undefined
        ? null
        : { publicUrl: e.HERALD_PUBLIC_URL, port: e.HERALD_HTTP_PORT },
    logLevel: e.LOG_LEVEL,
  };
}

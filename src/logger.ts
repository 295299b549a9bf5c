import { type DestinationStream, type Logger, pino } from "pino";

export type { Logger };

/**
 * Keys whose values never reach a log line, at any depth. pino's own `redact` only takes paths of
 * a fixed depth, and a whole config or account object logged by mistake nests secrets deeper, so
 * the log formatter walks the object instead.
 */
const SECRET_KEYS = new Set(
  [
    "token",
    "secretKey",
    "credentials",
    "appKey",
    "appSecret",
    "accessToken",
    "accessSecret",
    "refreshToken",
    "authorization",
    "password",
    // A PostgreSQL URL carries the password.
    "databaseUrl",
    "DATABASE_URL",
    "DISCORD_TOKEN",
    "HERALD_SECRET_KEY",
    "X_API_KEY",
    "X_API_SECRET",
    "X_ACCESS_TOKEN",
    "X_ACCESS_SECRET",
  ].map((key) => key.toLowerCase()),
);
const CENSOR = "[redacted]";
const MAX_DEPTH = 8;

export function redactSecrets(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value !== "object" || value === null || value instanceof Error) return value;
  if (depth >= MAX_DEPTH || seen.has(value)) return "[…]";
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1, seen));
  if (value instanceof URL || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = SECRET_KEYS.has(key.toLowerCase()) ? CENSOR : redactSecrets(inner, depth + 1, seen);
  }
  return out;
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: "herald" },
    formatters: {
      log: (object: Record<string, unknown>) => redactSecrets(object) as Record<string, unknown>,
    },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}

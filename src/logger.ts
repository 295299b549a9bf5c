import { type DestinationStream, type Logger, pino } from "pino";

export type { Logger };

/**
 * Keys whose values never reach a log line, at any depth. pino's own `redact` only takes paths of
 * a fixed depth, and a whole config or account object logged by mistake nests secrets deeper, so
 * the log formatter walks the object instead. Keys are compared without case, `_` or `-`, so
 * `accessSecret`, `access_secret` and `X_ACCESS_SECRET` are one name each.
 */
const SECRET_KEYS = new Set(
  [
    "token",
    "secretKey",
    "credentials",
    "appKey",
    "appSecret",
    "apiKey",
    "apiSecret",
    "consumerKey",
    "consumerSecret",
    "accessToken",
    "accessSecret",
    "accessTokenSecret",
    "oauthToken",
    "oauthTokenSecret",
    "refreshToken",
    "authorization",
    "cookie",
    "password",
    // A PostgreSQL URL carries the password.
    "databaseUrl",
    "DISCORD_TOKEN",
    "HERALD_SECRET_KEY",
    "X_API_KEY",
    "X_API_SECRET",
    "X_ACCESS_TOKEN",
    "X_ACCESS_SECRET",
  ].map(keyName),
);

function keyName(key: string): string {
  return key.toLowerCase().replace(/[_-]/g, "");
}
const CENSOR = "[redacted]";
const MAX_DEPTH = 8;

export function redactSecrets(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (depth >= MAX_DEPTH || seen.has(value)) return "[…]";
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1, seen));
  if (value instanceof URL || value instanceof Date) return value;
  // An error's own fields can hold the request that failed, headers and all (twitter-api-v2's
  // errors carry it), and pino's error serializer would print every one of them. The copy keeps
  // the error's prototype, so the serializer still names its class.
  const out: Record<string, unknown> =
    value instanceof Error
      ? Object.assign(Object.create(Object.getPrototypeOf(value)) as Record<string, unknown>, {
          message: value.message,
          stack: value.stack,
        })
      : {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = SECRET_KEYS.has(keyName(key)) ? CENSOR : redactSecrets(inner, depth + 1, seen);
  }
  if (value instanceof Error && value.cause !== undefined) {
    out.cause = redactSecrets(value.cause, depth + 1, seen);
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

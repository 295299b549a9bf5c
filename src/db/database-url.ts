import { isAbsolute, resolve } from "node:path";

/**
 * The SQLite file a `file:` DATABASE_URL names, resolved against the working directory the way
 * Prisma resolves it for the CLI (`file:./data/herald.db` → `<cwd>/data/herald.db`).
 */
export function sqliteFileFromUrl(url: string, cwd: string = process.cwd()): string {
  if (!url.startsWith("file:")) {
    throw new Error(`Not a SQLite URL: ${url}. SQLite URLs look like file:./data/herald.db.`);
  }
  const path = url.slice("file:".length).replace(/\?.*$/, "");
  if (path === "" || path === ":memory:") {
    throw new Error(
      "DATABASE_URL must name a file (file:./data/herald.db); an in-memory database would lose every post on restart.",
    );
  }
  return isAbsolute(path) ? path : resolve(cwd, path);
}

export type DatabaseProvider = "sqlite" | "postgresql";

/** `postgresql://…` (or `postgres://…`) selects PostgreSQL; everything else is a SQLite file. */
export function providerOf(url: string): DatabaseProvider {
  return /^postgres(ql)?:\/\//.test(url) ? "postgresql" : "sqlite";
}

export interface PostgresTarget {
  /** For node-postgres: the URL without `schema`, which it does not know. */
  connectionString: string;
  /** Prisma's `?schema=` parameter: the PostgreSQL schema Herald's tables live in. */
  schema: string;
  /** `host:port/database`, for messages: never the user or password. */
  where: string;
}

/**
 * Splits Prisma's `?schema=` parameter off a PostgreSQL URL (node-postgres would pass it to the
 * server as an unknown option). Default schema `public`, as Prisma's.
 */
export function postgresTarget(url: string): PostgresTarget {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get("schema") ?? "public";
  parsed.searchParams.delete("schema");
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, "")) || "postgres";
  return {
    connectionString: parsed.toString(),
    schema,
    where: `${parsed.hostname}:${parsed.port || "5432"}/${database}`,
  };
}

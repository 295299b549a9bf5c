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

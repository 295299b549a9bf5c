import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

/**
 * Compiles a tsconfig of this project into `outDir` with the project's own tsc, for what must run
 * as plain JavaScript (the production build test, the memory benchmark's children). Throws with
 * tsc's output when it fails. An `outDir` under node_modules resolves packages as the sources do.
 */
export function compileTypeScript(project: string, outDir: string): void {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  const build = spawnSync(
    process.execPath,
    [tsc, "-p", project, "--noEmit", "false", "--outDir", outDir],
    { encoding: "utf8" },
  );
  if (build.status !== 0) {
    throw new Error(
      `tsc -p ${project} failed (exit ${build.status}):\n${build.stdout}${build.stderr}`,
    );
  }
}

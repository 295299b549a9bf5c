import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

// A child may run in a temp folder, where a bare `--import tsx` would not resolve.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

export interface TsxChild {
  child: ChildProcess;
  /** The exit code (null when a signal ended it). */
  exited: Promise<number | null>;
  /** Everything it printed so far. */
  output(): { stdout: string; stderr: string };
}

/**
 * Runs a TypeScript file in a Node child process through tsx. Only PATH and HOME come from the
 * outside, so a developer's own .env or variables cannot leak in.
 */
export function spawnTsx(
  file: string,
  options: { args?: readonly string[]; cwd?: string; env?: Record<string, string> } = {},
): TsxChild {
  return spawnNode(["--import", TSX, file, ...(options.args ?? [])], options);
}

/** Runs compiled JavaScript as `spawnTsx` runs TypeScript: the production image's way. */
export function spawnCompiled(
  file: string,
  options: { cwd?: string; env?: Record<string, string> } = {},
): TsxChild {
  return spawnNode([file], options);
}

function spawnNode(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string> },
): TsxChild {
  const child = spawn(process.execPath, args, {
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => {
    stdout += String(chunk);
  });
  child.stderr?.on("data", (chunk) => {
    stderr += String(chunk);
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  return { child, exited, output: () => ({ stdout, stderr }) };
}

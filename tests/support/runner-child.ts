// The publishing runner in a child process (tests/crash/runner-process.ts), as the crash test,
// the shared-database tests and the benchmarks start it.
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath, pathToFileURL } from "node:url";

const RUNNER = fileURLToPath(new URL("../crash/runner-process.ts", import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
/** Generous for 2 shared cores. */
const START_TIMEOUT_MS = 30_000;

export interface RunnerChild {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /**
   * Settles with the runner's "started" line (its id in `runner`); rejects when it exits or
   * hangs before that.
   */
  started: Promise<Record<string, unknown>>;
  /** Settles with the runner's "stopped" line (after SIGTERM), null when it died without one. */
  stopped: Promise<Record<string, unknown> | null>;
  /** Lines of level error or worse the runner logged. */
  errors: string[];
  /** Settles with the first log line whose `msg` contains `text` (logged before or after). */
  logged(text: string, timeoutMs?: number): Promise<Record<string, unknown>>;
}

export function startRunner(env: Record<string, string>): RunnerChild {
  const child = spawn(process.execPath, ["--import", TSX, RUNNER], {
    // Only PATH and HOME from outside, so a developer's own variables cannot leak in.
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const errors: string[] = [];
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += String(chunk);
  });
  let stoppedLine: Record<string, unknown> | null = null;
  const logLines: Record<string, unknown>[] = [];
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const started = new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`runner did not start within ${START_TIMEOUT_MS} ms`));
    }, START_TIMEOUT_MS);
    lines.on("line", (line) => {
      let parsed: { event?: string; level?: number; [key: string]: unknown };
      try {
        parsed = JSON.parse(line) as typeof parsed;
      } catch {
        return;
      }
      logLines.push(parsed);
      if (parsed.event === "started") {
        clearTimeout(timer);
        resolve(parsed);
      } else if (parsed.event === "stopped") {
        stoppedLine = parsed;
      } else if ((parsed.level ?? 0) >= 50) {
        errors.push(line);
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`runner exited (${code ?? signal}) before starting: ${stderr}`));
    });
  });
  // A kill during start-up is part of the crash test; only an awaited `started` may fail it.
  started.catch(() => {});
  const stopped = exited.then(() => stoppedLine);
  const logged = (text: string, timeoutMs = 30_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const matches = (line: Record<string, unknown>) => String(line.msg ?? "").includes(text);
      const earlier = logLines.find(matches);
      if (earlier !== undefined) return resolve(earlier);
      const timer = setTimeout(() => {
        lines.off("line", onLine);
        reject(new Error(`the runner did not log "${text}" within ${timeoutMs} ms`));
      }, timeoutMs);
      const onLine = () => {
        const line = logLines.at(-1);
        if (line === undefined || !matches(line)) return;
        clearTimeout(timer);
        lines.off("line", onLine);
        resolve(line);
      };
      lines.on("line", onLine);
    });
  return { child, exited, started, stopped, errors, logged };
}

/** Polls `count()` until it reaches `target` or `timeoutMs` passes; returns the last count. */
export async function waitFor(
  count: () => Promise<number>,
  target: number,
  timeoutMs: number,
  pollMs = 10,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let seen = await count();
  while (seen < target && Date.now() < deadline) {
    await delay(pollMs);
    seen = await count();
  }
  return seen;
}

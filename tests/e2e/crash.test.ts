import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { spawnTsx } from "../support/tsx-child.ts";

const CRASH_TEST = fileURLToPath(new URL("../crash/crash-test.ts", import.meta.url));

let running: ChildProcess | undefined;
afterEach(() => {
  if (running !== undefined && running.exitCode === null && running.signalCode === null) {
    running.kill("SIGKILL");
  }
  running = undefined;
});

async function runCrashTest(args: string[]): Promise<{ code: number | null; lines: unknown[] }> {
  const crash = spawnTsx(CRASH_TEST, { args });
  running = crash.child;
  const code = await crash.exited;
  const { stdout, stderr } = crash.output();
  if (code !== 0) process.stderr.write(`crash test output:\n${stdout}\n${stderr}\n`);
  const lines = stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as unknown);
  return { code, lines };
}

describe("crash test", () => {
  it("given 200 posts due now and 5 SIGKILLs of the runner process, X holds every post exactly once and none is left unpublished", async () => {
    const { code, lines } = await runCrashTest(["--posts", "200", "--kills", "5"]);

    expect(lines.filter((line) => (line as { event?: string }).event === "violation")).toEqual([]);
    expect(lines.filter((line) => (line as { event?: string }).event === "kill")).toHaveLength(5);
    expect(lines.at(-1)).toMatchObject({
      event: "result",
      ok: true,
      posts: 200,
      kills: 5,
      publishedInDb: 200,
      unpublished: 0,
      postsOnX: 200,
      duplicatesOnX: 0,
      createRequests: 200,
      repeatedCreateRequests: 0,
      violations: 0,
    });
    expect(code).toBe(0);
  }, 120_000);
});

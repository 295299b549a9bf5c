import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const CRASH_TEST = fileURLToPath(new URL("../crash/crash-test.ts", import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

let running: ChildProcess | undefined;
afterEach(() => {
  if (running !== undefined && running.exitCode === null && running.signalCode === null) {
    running.kill("SIGKILL");
  }
  running = undefined;
});

function runCrashTest(args: string[]): Promise<{ code: number | null; lines: unknown[] }> {
  const child = spawn(process.execPath, ["--import", TSX, CRASH_TEST, ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running = child;
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => {
    stdout += String(chunk);
  });
  child.stderr?.on("data", (chunk) => {
    stderr += String(chunk);
  });
  return new Promise((resolve) => {
    child.once("exit", (code) => {
      if (code !== 0) process.stderr.write(`crash test output:\n${stdout}\n${stderr}\n`);
      const lines = stdout
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as unknown);
      resolve({ code, lines });
    });
  });
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

import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { FakeXControl } from "./control.ts";
import type { FakeXOptions } from "./server.ts";

const CLI = fileURLToPath(new URL("./cli.ts", import.meta.url));
// An absolute loader URL, so the child resolves tsx whatever its working folder.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

/** The fake X running in a child process (cli.ts), and how to reach and stop it. */
export interface FakeXProcess {
  readonly url: string;
  /** For NODE_EXTRA_CA_CERTS of Herald's process, or an https.Agent's `ca`. */
  readonly caFile: string;
  readonly control: FakeXControl;
  readonly child: ChildProcess;
  /** SIGTERM, then the exit code once the process has ended. */
  stop(): Promise<number | null>;
}

export async function startFakeXProcess(
  options: Omit<FakeXOptions, "now"> = {},
): Promise<FakeXProcess> {
  const child = spawn(process.execPath, ["--import", TSX, CLI, JSON.stringify(options)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const line = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once("line", (first) => {
      lines.close();
      resolve(first);
    });
    child.once("exit", (code) => reject(new Error(`fake X exited with ${code} before listening`)));
  });
  const { url, caFile, controlUrl } = JSON.parse(line) as Record<string, string>;
  if (url === undefined || caFile === undefined || controlUrl === undefined) {
    child.kill("SIGKILL");
    throw new Error(`fake X printed an unexpected line: ${line}`);
  }
  return {
    url,
    caFile,
    control: new FakeXControl(controlUrl),
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}

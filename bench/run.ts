// Runs the benchmarks, each in a process of its own so that one's heap and sockets cannot skew
// the next. Usage: npm run bench [-- <name> …]. Each prints one JSON line per figure
// (bench/figures.ts); this prints nothing else on stdout.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

const BENCHES = [
  "scheduler-memory",
  "publish-lag",
  "publish-throughput",
  "command-latency",
  "report-90d",
  "metrics-sync",
  "metrics-cost",
  "pg-throughput",
  "redirect",
  "autopilot-fill",
] as const;
type BenchName = (typeof BENCHES)[number];
const isBench = (name: string): name is BenchName => (BENCHES as readonly string[]).includes(name);

const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

const requested = process.argv.slice(2).filter((arg) => arg !== "--");
const unknown = requested.filter((name) => !isBench(name));
if (unknown.length > 0) {
  process.stderr.write(`Unknown benchmark: ${unknown.join(", ")}. Known: ${BENCHES.join(", ")}\n`);
  process.exit(2);
}
const selected = requested.length === 0 ? [...BENCHES] : requested.filter(isBench);

let failed = 0;
for (const name of selected) {
  const file = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, ["--import", TSX, file], { stdio: "inherit" });
    child.once("exit", (exitCode) => resolve(exitCode));
  });
  if (code !== 0) {
    process.stderr.write(`benchmark ${name} failed (exit ${code})\n`);
    failed += 1;
  }
}
process.exitCode = failed === 0 ? 0 : 1;

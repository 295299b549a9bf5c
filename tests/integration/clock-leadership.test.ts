// Clock jobs on several instances sharing one PostgreSQL database (design.md section 10).
import { Writable } from "node:stream";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { PostgresClockLeadership } from "../../src/db/clock-leadership.ts";
import { createLogger } from "../../src/logger.ts";
import { ClockJobs } from "../../src/scheduler/clock-jobs.ts";
import {
  createPostgresSchema,
  noticePostgresSkipped,
  type PostgresSchema,
  testPostgresUrl,
} from "../support/postgres.ts";

const pgUrl = testPostgresUrl();
if (pgUrl === undefined) noticePostgresSkipped("clock-leadership.test.ts");

interface Instance {
  name: string;
  jobs: ClockJobs;
  /** The tick instants this instance ran the job for. */
  ran: string[];
  /** Tick instants this instance decided on: ran, or left to the lock holder. */
  decided: string[];
}

describe.runIf(pgUrl !== undefined)(
  "clock jobs on two instances of one PostgreSQL database",
  () => {
    let schema: PostgresSchema;
    let instances: Instance[] = [];
    const waiters = new Set<() => void>();

    beforeAll(async () => {
      schema = await createPostgresSchema(pgUrl ?? "", "clock", false);
    });
    afterAll(async () => {
      await schema?.drop();
    });
    afterEach(async () => {
      for (const instance of instances) await instance.jobs.stop(1);
      instances = [];
      vi.useRealTimers();
    });

    /** An instance whose log tells the test what it decided at each tick. */
    function startInstance(name: string): Instance {
      const ran: string[] = [];
      const decided: string[] = [];
      const log = new Writable({
        write(chunk, _encoding, done) {
          for (const line of String(chunk).split("\n").filter(Boolean)) {
            const record = JSON.parse(line) as { msg: string; firedAt?: string };
            if (
              record.firedAt !== undefined &&
              (record.msg === "clock job finished" ||
                record.msg === "clock job left to the instance holding the lock")
            ) {
              decided.push(record.firedAt);
              for (const wake of [...waiters]) wake();
            }
          }
          done();
        },
      });
      const logger = createLogger("debug", log);
      const jobs = new ClockJobs({
        logger,
        leadership: new PostgresClockLeadership(schema.url, logger),
      });
      jobs.add({
        name: "metrics-sync",
        rule: { kind: "every", minutes: 1 },
        run: async (firedAt) => {
          ran.push(firedAt.toISOString());
        },
      });
      const instance = { name, jobs, ran, decided };
      instances.push(instance);
      return instance;
    }

    /** Moves the fake clock to `instant` and waits until each live instance decided that tick. */
    async function tick(instant: string, live: Instance[]): Promise<void> {
      // One ms past the instant: node-schedule fires invocations due at one instant one after the
      // other, arming the next only after the previous ran.
      await vi.advanceTimersByTimeAsync(Date.parse(instant) + 1 - Date.now());
      const done = () => live.every((i) => i.decided.includes(instant));
      while (!done()) {
        await new Promise<void>((resolve) => {
          waiters.add(resolve);
          if (done()) resolve();
        }).finally(() => waiters.clear());
      }
    }

    /** Two instances from 10:00:30, with the clock faked (not node-postgres's sockets). */
    function startTwoInstances(): [Instance, Instance] {
      vi.useFakeTimers({
        now: new Date("2026-06-01T10:00:30Z"),
        toFake: ["Date", "setTimeout", "clearTimeout", "setInterval", "clearInterval"],
      });
      return [startInstance("a"), startInstance("b")];
    }

    const runsAt = (instant: string) =>
      instances.filter((i) => i.ran.includes(instant)).map((i) => i.name);

    it("given a job scheduled on two instances, each tick runs it once; when the lock holder dies, the next tick runs on the other", async () => {
      const [a, b] = startTwoInstances();

      await tick("2026-06-01T10:01:00.000Z", [a, b]);
      await tick("2026-06-01T10:02:00.000Z", [a, b]);
      const [leader] = runsAt("2026-06-01T10:01:00.000Z");
      expect(runsAt("2026-06-01T10:01:00.000Z")).toHaveLength(1);
      expect(runsAt("2026-06-01T10:02:00.000Z")).toEqual([leader]);

      // The leader dies: its schedule ends and PostgreSQL drops its session, as after a SIGKILL.
      const dead = leader === "a" ? a : b;
      const survivor = leader === "a" ? b : a;
      await dead.jobs.stop(1);
      instances = instances.filter((i) => i !== dead);
      await tick("2026-06-01T10:03:00.000Z", [survivor]);
      await tick("2026-06-01T10:04:00.000Z", [survivor]);

      expect(survivor.ran).toEqual(["2026-06-01T10:03:00.000Z", "2026-06-01T10:04:00.000Z"]);
      expect(dead.ran).not.toContain("2026-06-01T10:03:00.000Z");
    });

    it("given the lock holder's connection is cut while it lives, the next tick still runs exactly once", async () => {
      const [a, b] = startTwoInstances();
      await tick("2026-06-01T10:01:00.000Z", [a, b]);
      expect(runsAt("2026-06-01T10:01:00.000Z")).toHaveLength(1);

      const admin = await schema.client();
      const cut = await admin.query(
        `SELECT pg_terminate_backend(l.pid) FROM pg_locks l
        WHERE l.locktype = 'advisory' AND l.granted AND l.objid = hashtext($1)::oid`,
        [`herald.clock-jobs/${schema.name}`],
      );
      expect(cut.rowCount).toBe(1);
      // The server ends the session, and frees its lock, a moment after it is told to.
      let released = false;
      for (let i = 0; i < 1_000 && !released; i += 1) {
        const { rows } = await admin.query(
          `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = hashtext($1)::oid`,
          [`herald.clock-jobs/${schema.name}`],
        );
        released = rows.length === 0;
      }
      expect(released).toBe(true);

      for (const minute of ["02", "03", "04"]) {
        const instant = `2026-06-01T10:${minute}:00.000Z`;
        await tick(instant, [a, b]);
        expect(runsAt(instant)).toHaveLength(1);
      }
    });
  },
);

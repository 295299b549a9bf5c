import { describe, expect, it } from "vitest";
import { GroupCommit } from "../../src/scheduler/group-commit.ts";

/** A writer whose writes finish when the test says so, recording the batches it was given. */
function controlledWriter() {
  const batches: number[][] = [];
  const finishers: Array<(fail?: Error) => void> = [];
  const write = (items: number[]) => {
    batches.push(items);
    return new Promise<string[]>((resolve, reject) => {
      finishers.push((fail) =>
        fail === undefined ? resolve(items.map((item) => `wrote ${item}`)) : reject(fail),
      );
    });
  };
  const writeStarted = async (count: number) => {
    while (batches.length < count) await new Promise((resolve) => setImmediate(resolve));
  };
  return { batches, finishers, write, writeStarted };
}

describe("group commit", () => {
  it("writes an item submitted while idle on its own, and gives each caller its own result", async () => {
    const writer = controlledWriter();
    const commit = new GroupCommit(writer.write);

    const result = commit.submit(1);
    await writer.writeStarted(1);
    writer.finishers[0]?.();

    expect(await result).toBe("wrote 1");
    expect(writer.batches).toEqual([[1]]);
  });

  it("gathers the items submitted during a write into the next batch, in order, up to the limit", async () => {
    const writer = controlledWriter();
    const commit = new GroupCommit(writer.write, 3);

    const first = commit.submit(1);
    await writer.writeStarted(1);
    const later = [2, 3, 4, 5].map((item) => commit.submit(item));
    writer.finishers[0]?.();
    await writer.writeStarted(2);
    writer.finishers[1]?.();
    await writer.writeStarted(3);
    writer.finishers[2]?.();

    expect(await first).toBe("wrote 1");
    expect(await Promise.all(later)).toEqual(["wrote 2", "wrote 3", "wrote 4", "wrote 5"]);
    expect(writer.batches).toEqual([[1], [2, 3, 4], [5]]);
  });

  it("given a write that fails, fails the items of that batch only and goes on with the next", async () => {
    const writer = controlledWriter();
    const commit = new GroupCommit(writer.write);

    const first = commit.submit(1).catch((error: Error) => error.message);
    await writer.writeStarted(1);
    const second = commit.submit(2);
    writer.finishers[0]?.(new Error("database is locked"));
    await writer.writeStarted(2);
    writer.finishers[1]?.();

    expect(await first).toBe("database is locked");
    expect(await second).toBe("wrote 2");
  });
});

/**
 * Writes items in batches the way a database's group commit does: an item submitted while
 * nothing is being written goes out after one turn of the event loop, with whatever else arrived
 * in that turn; items submitted while a batch is being written wait and go together in the next
 * one. Under load many publishes share a transaction; when quiet nothing waits for a timer. (DataLoader batches by event-loop tick and writes batches
 * concurrently, which gives batches of one here: each X answer arrives in a tick of its own.)
 */
export class GroupCommit<T, R> {
  private pending: { item: T; resolve: (result: R) => void; reject: (error: unknown) => void }[] =
    [];
  private writing = false;

  /** `write` returns one result per item, in the items' order; if it throws, every item fails. */
  constructor(
    private readonly write: (items: T[]) => Promise<R[]>,
    private readonly maxBatch = 100,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.pending.length > 0) {
      // Let the event loop deliver what has arrived first (X's answers, each submitting an item):
      // with a synchronous driver (better-sqlite3) a write never yields, so without this pause
      // every batch would hold one item.
      await new Promise((resolve) => setImmediate(resolve));
      const batch = this.pending.splice(0, this.maxBatch);
      try {
        const results = await this.write(batch.map((entry) => entry.item));
        for (const [i, entry] of batch.entries()) entry.resolve(results[i] as R);
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
    this.writing = false;
  }
}

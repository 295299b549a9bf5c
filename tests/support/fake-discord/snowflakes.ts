/** Discord's epoch (2015-01-01), the origin of the time part of every snowflake. */
const DISCORD_EPOCH_MS = 1_420_070_400_000n;

/**
 * Snowflake ids as Discord makes them: the (injected) time shifted left by 22 bits, strictly
 * increasing even when a fake clock stands still, because discord.js reads creation times from
 * ids and code under test may sort by them.
 */
export class Snowflakes {
  private last = 0n;

  constructor(private readonly now: () => number) {}

  next(): string {
    const fromTime = (BigInt(Math.max(0, Math.floor(this.now()))) - DISCORD_EPOCH_MS) << 22n;
    this.last = fromTime > this.last ? fromTime : this.last + 1n;
    return this.last.toString();
  }
}

/** A timestamp as Discord writes it: ISO 8601 with microseconds and an explicit offset. */
export function discordTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000+00:00");
}

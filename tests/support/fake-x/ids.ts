/** X's snowflake epoch (2010-11-04), the origin of the time part of every post and media id. */
const X_EPOCH_MS = 1_288_834_974_657n;
/** Snowflakes of today have 19 digits; older injected clocks must not give shorter ids. */
const SMALLEST_ID = 10n ** 18n;

/**
 * Numeric string ids shaped like X's snowflakes: 19 digits, derived from the (injected) time
 * and strictly increasing even when a fake clock stands still or goes backwards, because
 * Herald sorts and pages by id the way X does.
 */
export class SnowflakeIds {
  private last = 0n;

  constructor(private readonly now: () => number) {}

  next(): string {
    const fromTime = (BigInt(Math.max(0, Math.floor(this.now()))) - X_EPOCH_MS) << 22n;
    const candidate = fromTime > SMALLEST_ID ? fromTime : SMALLEST_ID;
    this.last = candidate > this.last ? candidate : this.last + 1n;
    return this.last.toString();
  }
}

/** Whether `value` looks like an X id: digits only, as X validates ids before looking them up. */
export function isXId(value: string): boolean {
  return /^[0-9]{1,19}$/.test(value);
}

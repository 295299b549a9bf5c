import type { Clock } from "../domain/ports.ts";

/** setTimeout's ceiling: a longer delay fires at once, so longer waits re-check on wake. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The runner's one timer (design.md section 4), armed for the next instant anything may be due.
 * It only wakes the runner; what runs is read from the database then.
 */
export class WakeTimer {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly wake: () => void,
  ) {}

  /** Fires once at `at` (at once when past), replacing any earlier arming; null disarms. */
  arm(at: Date | null): void {
    this.clear();
    if (at === null) return;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, at.getTime() - this.clock.now().getTime()));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.wake();
    }, delay);
  }

  clear(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

/**
 * Balanced publishing for experiments (design.md section 14), pure. Organic posts cannot be split
 * between audiences, so variants take turns across the campaign's slots, and none may own a time:
 * the evening audience differs from the morning one.
 *
 * The rule, slot by slot in time order:
 * - A variant may not repeat within the content policy's duplicate window (X refuses the same
 *   text from one account within 24 h), so a variant is eligible only if none of its posts lies
 *   within the window either side of the slot. A slot no variant can take stays free for other
 *   posts.
 * - At each slot time ("09:00") a variant may take the slot only while no variant has fewer posts
 *   at that time. So the counts per slot time never differ by more than one, whatever the
 *   schedule, and the order of the variants changes from round to round.
 * - Among those, the one with the fewest posts on this weekday at this time, then fewest posts in
 *   all, then the next in a turn that moves by one every round.
 */
import { DateTime } from "luxon";
import { WEEKDAYS, type Weekday } from "./schedule.ts";

/** A campaign slot as the rotation sees it: its instant, wall-clock time and weekday. */
export interface RotationSlot {
  at: Date;
  /** "HH:mm" in the campaign's time zone. */
  time: string;
  weekday: Weekday;
}

/** A slot a variant already holds (published or queued). */
export interface PlacedVariant extends RotationSlot {
  label: string;
}

export interface RotationInput {
  /** The experiment's variants, in order ("A", "B", …). */
  labels: readonly string[];
  /** The experiment's live posts so far, in any order. */
  placed: readonly PlacedVariant[];
  /** Free slots to fill, in time order. */
  slots: readonly RotationSlot[];
  /** A variant's posts must be more than this apart (the duplicate window). */
  minGapMs: number;
}

/** The wall-clock time and weekday of each instant in `timeZone`. */
export function rotationSlots(instants: readonly Date[], timeZone: string): RotationSlot[] {
  return instants.map((at) => {
    const local = DateTime.fromJSDate(at, { zone: timeZone });
    return {
      at,
      time: local.toFormat("HH:mm"),
      weekday: WEEKDAYS[local.weekday - 1] as Weekday,
    };
  });
}

/** Which variant takes each slot it can; slots left out stay free. */
export function assignVariants(input: RotationInput): PlacedVariant[] {
  const { labels, minGapMs } = input;
  const placed = [...input.placed];
  const assigned: PlacedVariant[] = [];
  for (const slot of input.slots) {
    const label = chooseVariant(labels, placed, slot, minGapMs);
    if (label === null) continue;
    const entry = { ...slot, label };
    placed.push(entry);
    assigned.push(entry);
  }
  return assigned;
}

function chooseVariant(
  labels: readonly string[],
  placed: readonly PlacedVariant[],
  slot: RotationSlot,
  minGapMs: number,
): string | null {
  const atTime = (label: string) =>
    placed.filter((p) => p.label === label && p.time === slot.time).length;
  const fewestAtTime = Math.min(...labels.map(atTime));
  const round = Math.floor(placed.length / labels.length);
  const candidates = labels
    .map((label, index) => ({
      label,
      atWeekday: placed.filter(
        (p) => p.label === label && p.time === slot.time && p.weekday === slot.weekday,
      ).length,
      total: placed.filter((p) => p.label === label).length,
      turn: (((index - round) % labels.length) + labels.length) % labels.length,
    }))
    .filter(({ label }) => atTime(label) === fewestAtTime)
    .filter(({ label }) =>
      placed.every(
        (p) => p.label !== label || Math.abs(p.at.getTime() - slot.at.getTime()) > minGapMs,
      ),
    )
    .sort((x, y) => x.atWeekday - y.atWeekday || x.total - y.total || x.turn - y.turn);
  return candidates[0]?.label ?? null;
}

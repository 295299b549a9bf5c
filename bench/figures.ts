/** One measured figure, printed as one JSON line: what `npm run bench` outputs. */
export interface Figure {
  bench: string;
  metric: string;
  value: number;
  unit: string;
  target: string;
}

export function printFigure(figure: Figure): void {
  process.stdout.write(`${JSON.stringify(figure)}\n`);
}

/** A printer for one benchmark's figures. */
export function figuresOf(bench: string) {
  return (metric: string, value: number, unit: string, target = "-") =>
    printFigure({ bench, metric, value: round(value), unit, target });
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** The q-quantile (0..1) of `values`, nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export const MB = 1024 * 1024;

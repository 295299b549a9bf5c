/**
 * The experiment chart: each variant's rate (or EPC) at the end of each day, with its confidence
 * interval as a band, drawn like the report chart (vega-lite → vega → SVG → resvg PNG, the same
 * fonts and dark card).
 */
import type { TopLevelSpec } from "vega-lite";
import type { ExperimentMetric } from "../../domain/experiment-verdict.ts";
import type { SeriesPoint } from "../../domain/experiments.ts";
import { CHART_CONFIG, drawPng, preparedChart, THEME } from "./report-chart.ts";

const POINTS = "points";
const MAX_DAYS_WITH_MARKERS = 31;

const AXIS_TITLE: Record<ExperimentMetric, string> = {
  ctr: "Click-through rate",
  conversion: "Conversion rate",
  epc: "Earnings per click",
};

interface ChartShape {
  title: string;
  subtitle: string;
  metric: ExperimentMetric;
  days: number;
}

export function experimentChartSpec(shape: ChartShape): TopLevelSpec {
  const format = shape.metric === "epc" ? ",.2f" : ".1%";
  const x = {
    field: "date",
    type: "temporal" as const,
    timeUnit: "yearmonthdate" as const,
    title: null,
    axis: { format: "%b %d", labelAngle: 0, tickCount: Math.min(shape.days, 6) },
  };
  const color = {
    field: "variant",
    type: "nominal" as const,
    title: "Variant",
    scale: { range: [...THEME.palette] },
  };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: shape.title, subtitle: shape.subtitle },
    background: THEME.background,
    padding: 20,
    data: { name: POINTS },
    width: 640,
    height: 320,
    layer: [
      {
        mark: { type: "area", opacity: 0.25 },
        encoding: {
          x,
          y: { field: "low", type: "quantitative" },
          y2: { field: "high" },
          color,
        },
      },
      {
        mark: { type: "line", point: shape.days <= MAX_DAYS_WITH_MARKERS, strokeWidth: 4 },
        encoding: {
          x,
          y: {
            field: "value",
            type: "quantitative",
            title: AXIS_TITLE[shape.metric],
            axis: { format, tickCount: 5 },
          },
          color,
        },
      },
    ],
    config: CHART_CONFIG,
  };
}

/** The chart as PNG bytes; `series` holds one point per variant and day. */
export async function renderExperimentChart(
  series: readonly SeriesPoint[],
  shape: Omit<ChartShape, "days">,
): Promise<Buffer> {
  const days = new Set(series.map((point) => point.date)).size;
  const full = { ...shape, days };
  const runtime = await preparedChart({ chart: "experiment", ...full }, () =>
    experimentChartSpec(full),
  );
  return drawPng(
    runtime,
    POINTS,
    series.map((point) => ({
      date: point.date,
      variant: point.label,
      value: point.value,
      low: point.interval.low,
      high: point.interval.high,
    })),
  );
}

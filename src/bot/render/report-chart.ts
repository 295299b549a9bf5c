/**
 * The report chart: impressions and clicks per day, one line per campaign (the five with the most
 * impressions), as a PNG rendered in-process: vega-lite compiles the spec, vega draws it as SVG
 * without a browser, resvg turns the SVG into a PNG.
 *
 * resvg reads no system fonts here on purpose: the chart uses the DejaVu Sans files from the
 * dejavu-fonts-ttf package, so its text looks the same on every machine (a slim container has no
 * fonts at all). The chart is a card with its own opaque dark background and light text, so it
 * reads the same on Discord's dark and light themes.
 */
import { createRequire } from "node:module";
import { Resvg } from "@resvg/resvg-js";
import { parse, type Runtime, View } from "vega";
import type { TopLevelSpec } from "vega-lite";
import type { Report } from "../../domain/reports.ts";

/**
 * PNG width in pixels; the height follows from the layout. Discord shows an embed's image about
 * 520 pixels wide, half this, so the text is drawn at twice the size it should read at.
 */
export const CHART_WIDTH = 1000;
const MAX_LINES = 5;
const MAX_DAYS_WITH_MARKERS = 31;
export const FONT = "DejaVu Sans";
const require = createRequire(import.meta.url);
const FONT_FILES = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"].map((file) =>
  require.resolve(`dejavu-fonts-ttf/ttf/${file}`),
);

/** Discord's dark card colours, and a palette that keeps contrast on them. */
export const THEME = {
  background: "#2b2d31",
  text: "#f2f3f5",
  muted: "#b5bac1",
  grid: "#3f4248",
  palette: ["#5865f2", "#57f287", "#fee75c", "#eb459e", "#ed8b3d"],
};

interface Point {
  date: string;
  campaign: string;
  metric: "Impressions" | "Clicks";
  value: number | null;
}

/** The campaigns on the chart: the five with the most impressions in the range. */
function chartedCampaigns(report: Report) {
  return [...report.analytics.byCampaign]
    .sort((a, b) => (b.totals.impressions ?? -1) - (a.totals.impressions ?? -1))
    .slice(0, MAX_LINES)
    .map((row) => row.campaign);
}

function points(report: Report): Point[] {
  const charted = new Map(chartedCampaigns(report).map((c) => [c.id, c.name]));
  return report.analytics.daily.flatMap((point) => {
    const campaign = charted.get(point.campaignId);
    if (campaign === undefined) return [];
    // A day without posts is a real 0; a day whose posts X did not report on is left out.
    const empty = point.posts === 0;
    return [
      {
        date: point.date,
        campaign,
        metric: "Impressions" as const,
        value: empty ? 0 : point.impressions,
      },
      { date: point.date, campaign, metric: "Clicks" as const, value: empty ? 0 : point.clicks },
    ];
  });
}

/** Everything the chart's layout depends on; the points come separately, as named data. */
interface ChartShape {
  title: string;
  subtitle: string;
  days: number;
}

const POINTS = "points";

export function chartSpec(shape: ChartShape): TopLevelSpec {
  const panel = (metric: Point["metric"]) => ({
    width: 640,
    height: 190,
    transform: [{ filter: { field: "metric", equal: metric } }, { filter: "isValid(datum.value)" }],
    // A marker per day helps read a week; over a quarter it is clutter (and most of the drawing).
    mark: {
      type: "line" as const,
      point: shape.days <= MAX_DAYS_WITH_MARKERS,
      strokeWidth: 4,
    },
    encoding: {
      x: {
        field: "date",
        type: "temporal" as const,
        timeUnit: "yearmonthdate" as const,
        title: null,
        axis: {
          format: "%b %d",
          labelAngle: 0,
          tickCount: Math.min(shape.days, 6),
        },
      },
      y: {
        field: "value",
        type: "quantitative" as const,
        title: `${metric} per day`,
        axis: { format: "~s", tickMinStep: 1, tickCount: 5 },
      },
      color: {
        field: "campaign",
        type: "nominal" as const,
        title: "Campaign",
        scale: { range: THEME.palette },
      },
    },
  });
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: shape.title, subtitle: shape.subtitle },
    background: THEME.background,
    padding: 20,
    data: { name: POINTS },
    vconcat: [panel("Impressions"), panel("Clicks")],
    spacing: 30,
    config: CHART_CONFIG,
  };
}

/** Fonts, colours and sizes every Herald chart shares. */
export const CHART_CONFIG = {
  font: FONT,
  view: { stroke: null },
  title: {
    color: THEME.text,
    subtitleColor: THEME.muted,
    fontSize: 28,
    subtitleFontSize: 20,
    anchor: "start",
  },
  axis: {
    labelColor: THEME.muted,
    titleColor: THEME.text,
    labelFontSize: 19,
    titleFontSize: 20,
    gridColor: THEME.grid,
    domainColor: THEME.muted,
    tickColor: THEME.muted,
  },
  legend: {
    labelColor: THEME.text,
    titleColor: THEME.text,
    labelFontSize: 20,
    titleFontSize: 20,
    labelLimit: 260,
    symbolSize: 200,
    symbolStrokeWidth: 5,
    orient: "right",
  },
} as const;

/**
 * Parsed vega specs by chart and shape: compiling and parsing cost more than drawing, and charts
 * come in a handful of shapes (a title per range and scope), so each is prepared once.
 */
const prepared = new Map<string, Runtime>();
const MAX_PREPARED = 32;

/** The prepared chart for `key` (the chart's name and shape), compiled from `spec` the first time. */
export async function preparedChart(key: object, spec: () => TopLevelSpec): Promise<Runtime> {
  const cacheKey = JSON.stringify(key);
  let runtime = prepared.get(cacheKey);
  if (runtime === undefined) {
    // Loaded on first use: vega-lite adds Set.prototype.toJSON when it loads, and discord.js's
    // inspect helper (node-inspect-extracted) fails to load after that under vitest's runner.
    const { compile } = await import("vega-lite");
    runtime = parse(compile(spec()).spec);
    if (prepared.size >= MAX_PREPARED) prepared.clear();
    prepared.set(cacheKey, runtime);
  }
  return runtime;
}

/** The chart as PNG bytes, CHART_WIDTH pixels wide. */
export async function renderReportChart(report: Report, title: string): Promise<Buffer> {
  const shape = {
    title,
    subtitle: `Days in ${report.timeZone}`,
    days: report.analytics.dates.length,
  };
  const runtime = await preparedChart({ chart: "report", ...shape }, () => chartSpec(shape));
  return drawPng(runtime, POINTS, points(report));
}

/** Draws a prepared chart with `rows` as its named data set, as PNG bytes CHART_WIDTH wide. */
export async function drawPng(runtime: Runtime, dataName: string, rows: object[]): Promise<Buffer> {
  const view = new View(runtime, { renderer: "none" }).data(dataName, rows);
  try {
    const svg = await view.toSVG();
    return new Resvg(svg, {
      fitTo: { mode: "width", value: CHART_WIDTH },
      background: THEME.background,
      font: { fontFiles: FONT_FILES, loadSystemFonts: false, defaultFontFamily: FONT },
    })
      .render()
      .asPng();
  } finally {
    view.finalize();
  }
}

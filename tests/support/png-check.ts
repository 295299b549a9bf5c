import { PNG } from "pngjs";

/**
 * Decodes a PNG and says how much was drawn on it: the share of pixels whose colour differs from
 * the top-left pixel (the chart's background) and how many colours it holds. A blank or
 * background-only image has a share of 0 and one colour.
 */
export function inspectPng(bytes: Buffer): {
  width: number;
  height: number;
  background: string;
  drawnShare: number;
  colours: number;
} {
  const png = PNG.sync.read(bytes);
  const rgb = (i: number) => `${png.data[i]},${png.data[i + 1]},${png.data[i + 2]}`;
  const background = rgb(0);
  const colours = new Set<string>();
  let drawn = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    const colour = rgb(i);
    colours.add(colour);
    if (colour !== background) drawn += 1;
  }
  return {
    width: png.width,
    height: png.height,
    background,
    drawnShare: drawn / (png.width * png.height),
    colours: colours.size,
  };
}

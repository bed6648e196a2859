/** Marks of a Vega SVG, found by their aria-label (the description channel), for data-to-mark tests. */
export interface SvgMark {
  label: string;
  role: string;
  fill: string | null;
  stroke: string | null;
  d: string | null;
  transform: string | null;
  /** For <line> marks (rules): the end point relative to the translate. */
  x2: number | null;
  y2: number | null;
}

function attribute(tag: string, name: string): string | null {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? (m[1] as string) : null;
}

export function svgMarks(svg: string): SvgMark[] {
  const out: SvgMark[] = [];
  for (const m of svg.matchAll(/<(?:path|line)\s[^>]*aria-label="[^"]*"[^>]*>/g)) {
    const tag = m[0];
    out.push({
      label: attribute(tag, "aria-label") as string,
      role: attribute(tag, "aria-roledescription") ?? "",
      fill: attribute(tag, "fill"),
      stroke: attribute(tag, "stroke"),
      d: attribute(tag, "d"),
      transform: attribute(tag, "transform"),
      x2: attribute(tag, "x2") === null ? null : Number(attribute(tag, "x2")),
      y2: attribute(tag, "y2") === null ? null : Number(attribute(tag, "y2")),
    });
  }
  return out;
}

/** "rgb(43, 117, 142)" or "#2b758e" -> "#2b758e". */
export function toHex(colour: string): string {
  const m = /^rgb\((\d+),\s*(\d+),\s*(\d+)\)$/.exec(colour);
  if (m) return `#${[m[1], m[2], m[3]].map((c) => Number(c).toString(16).padStart(2, "0")).join("")}`;
  return colour.toLowerCase();
}

/** The translate(x,y) of a mark. */
export function translateOf(mark: SvgMark): [number, number] {
  const m = /translate\(([-\d.e]+),\s*([-\d.e]+)\)/.exec(mark.transform ?? "");
  if (!m) throw new Error(`no translate in ${mark.transform}`);
  return [Number(m[1]), Number(m[2])];
}

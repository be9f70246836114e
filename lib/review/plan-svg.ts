import type { PlanView, StageView, VersionView } from './plan-json';
import { formatShare } from './traffic-share-format';

/**
 * `stepwise plan --format svg`: a chart a reviewer can look at. Per stage, a stacked bar of
 * replicas per workload (colour = workload, hatching = version, so the new version is visible as
 * it spreads: a new image, or the same image with an env var or a limit changed) and below it a
 * stacked bar of the traffic share per workload. The current stage is shaded. Pure and
 * deterministic: the same view gives the same bytes.
 */

/** Colour-blind-friendly colours (Tableau 10), one per workload in plan order, repeating after ten. */
const COLOURS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

/** Fills laid over a segment to tell versions apart: the plan's first version is plain. */
const VERSION_PATTERNS = [
  '',
  '<path d="M0,8 L8,0" stroke="#ffffff" stroke-width="2" stroke-opacity="0.65"/>',
  '<path d="M0,0 L8,8 M0,8 L8,0" stroke="#ffffff" stroke-width="1.4" stroke-opacity="0.65"/>',
  '<circle cx="4" cy="4" r="1.6" fill="#ffffff" fill-opacity="0.8"/>',
];

const FONT = 'font-family="Helvetica, Arial, sans-serif"';
const MARGIN = { left: 74, top: 104, right: 24 };
const REPLICAS_HEIGHT = 260;
const TRAFFIC_HEIGHT = 150;
const PANEL_GAP = 84;
const LEGEND_WIDTH = 250;
const BAR_WIDTH = 56;

/** The SVG document (with a final newline). */
export function planSvg(view: PlanView): string {
  const workloads = workloadOrder(view);
  const columnWidth = Math.max(112, ...view.stages.map((s) => textWidth(s.name, 12) + 16));
  const plotWidth = columnWidth * view.stages.length;
  const width = MARGIN.left + plotWidth + MARGIN.right + LEGEND_WIDTH;
  const replicasTop = MARGIN.top;
  const trafficTop = replicasTop + REPLICAS_HEIGHT + PANEL_GAP;
  const axisBottom = trafficTop + TRAFFIC_HEIGHT;
  const maxPods = Math.max(1, ...view.stages.map((s) => s.workloads.reduce((sum, w) => sum + w.replicas, 0)));
  const step = niceStep(maxPods);
  const top = Math.ceil(maxPods / step) * step;
  const yReplicas = (n: number) => replicasTop + REPLICAS_HEIGHT - (n / top) * REPLICAS_HEIGHT;
  const yTraffic = (share: number) => trafficTop + TRAFFIC_HEIGHT - share * TRAFFIC_HEIGHT;
  const columnX = (i: number) => MARGIN.left + i * columnWidth;
  const colour = (name: string) => COLOURS[workloads.indexOf(name) % COLOURS.length];
  const pattern = (version: number) => (version - 1) % VERSION_PATTERNS.length;
  const key = legend(MARGIN.left + plotWidth + MARGIN.right, replicasTop, workloads, view.versions, colour);
  // Tall enough for the legend too: a plan with many workloads or versions lists more than the bars are high.
  const height = Math.max(axisBottom + 56, key.bottom + 16);

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="title">`,
  );
  out.push(`<title id="title">${esc(`stepwise plan ${view.stack}: replicas and traffic share per stage`)}</title>`);
  out.push('<defs>');
  VERSION_PATTERNS.forEach((shape, i) => {
    if (i > 0) out.push(`<pattern id="version-${i}" width="8" height="8" patternUnits="userSpaceOnUse">${shape}</pattern>`);
  });
  out.push('</defs>');
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(text(MARGIN.left, 24, `${view.stack}: ${view.kind} in namespace ${view.namespace}`, { size: 16, weight: 'bold' }));
  out.push(
    text(MARGIN.left, 44, `replicas and traffic share per stage; current stage: ${view.stage} (shaded)`, { size: 12, fill: '#444444' }),
  );

  // The current stage's column, shaded behind both panels.
  view.stages.forEach((stage, i) => {
    if (stage.current) {
      out.push(
        `<rect x="${columnX(i)}" y="${replicasTop - 34}" width="${columnWidth}" height="${axisBottom - replicasTop + 66}" fill="#fff4cc"/>`,
      );
    }
  });

  // Replicas panel: grid, axis, bars.
  out.push(text(MARGIN.left, replicasTop - 40, 'replicas per workload (colour) and version (hatching)', { size: 12, weight: 'bold' }));
  for (let n = 0; n <= top; n += step) {
    const y = fmt(yReplicas(n));
    out.push(`<line x1="${MARGIN.left}" y1="${y}" x2="${MARGIN.left + plotWidth}" y2="${y}" stroke="#dddddd"/>`);
    out.push(text(MARGIN.left - 8, yReplicas(n) + 4, String(n), { size: 11, anchor: 'end', fill: '#444444' }));
  }
  out.push(axisTitle(22, replicasTop + REPLICAS_HEIGHT / 2, 'replicas (pods)'));
  view.stages.forEach((stage, i) => {
    const x = columnX(i) + (columnWidth - BAR_WIDTH) / 2;
    let below = 0;
    for (const w of stage.workloads) {
      if (w.replicas === 0) continue;
      const y0 = yReplicas(below + w.replicas);
      const h = yReplicas(below) - y0;
      const tip = `${stage.name} / ${w.name}: ${w.replicas} replica${w.replicas === 1 ? '' : 's'} of ${versionText(view, w.version)}${w.paused ? ' (paused)' : ''}`;
      out.push(...segment(x, y0, h, colour(w.name), pattern(w.version), tip, h >= 14 ? String(w.replicas) : undefined));
      below += w.replicas;
    }
    out.push(text(x + BAR_WIDTH / 2, yReplicas(below) - 6, pods(below), { size: 11, anchor: 'middle', fill: '#222222' }));
  });
  out.push(
    `<line x1="${MARGIN.left}" y1="${replicasTop + REPLICAS_HEIGHT}" x2="${MARGIN.left + plotWidth}" y2="${replicasTop + REPLICAS_HEIGHT}" stroke="#333333"/>`,
  );

  // Between two bars: the transition's peak pods and, per Service, its fewest ready endpoints
  // against the floor (red when below).
  view.transitions.forEach((t, i) => {
    const cx = columnX(i + 1);
    const y = replicasTop + REPLICAS_HEIGHT + 17;
    out.push(text(cx, y, `peak ${pods(t.peakPods)}`, { size: 10, anchor: 'middle', fill: '#444444' }));
    const lowest = t.services.reduce((a, b) => (b.minReadyEndpoints - b.capacityFloor < a.minReadyEndpoints - a.capacityFloor ? b : a));
    const below = lowest.minReadyEndpoints < lowest.capacityFloor;
    out.push(
      text(cx, y + 13, `≥${lowest.minReadyEndpoints} ready, floor ${lowest.capacityFloor}`, {
        size: 10,
        anchor: 'middle',
        fill: below ? '#c00000' : '#444444',
        weight: below ? 'bold' : undefined,
      }),
    );
  });

  // Traffic panel: 0-100 %, same colours and hatching.
  out.push(
    text(MARGIN.left, trafficTop - 12, 'traffic share per workload (share of requests)', {
      size: 12,
      weight: 'bold',
    }),
  );
  for (const share of [0, 0.25, 0.5, 0.75, 1]) {
    const y = fmt(yTraffic(share));
    out.push(`<line x1="${MARGIN.left}" y1="${y}" x2="${MARGIN.left + plotWidth}" y2="${y}" stroke="#dddddd"/>`);
    out.push(text(MARGIN.left - 8, yTraffic(share) + 4, formatShare(share), { size: 11, anchor: 'end', fill: '#444444' }));
  }
  out.push(axisTitle(22, trafficTop + TRAFFIC_HEIGHT / 2, 'traffic share'));
  view.stages.forEach((stage, i) => {
    const x = columnX(i) + (columnWidth - BAR_WIDTH) / 2;
    const total = Object.values(stage.traffic).reduce((a, b) => a + b, 0);
    if (total === 0) {
      out.push(
        `<rect x="${fmt(x)}" y="${trafficTop}" width="${BAR_WIDTH}" height="${TRAFFIC_HEIGHT}" fill="none" stroke="#c00000" stroke-dasharray="4 3"/>`,
      );
      out.push(text(x + BAR_WIDTH / 2, trafficTop + TRAFFIC_HEIGHT / 2, 'no', { size: 11, anchor: 'middle', fill: '#c00000' }));
      out.push(text(x + BAR_WIDTH / 2, trafficTop + TRAFFIC_HEIGHT / 2 + 14, 'endpoints', { size: 11, anchor: 'middle', fill: '#c00000' }));
      return;
    }
    let below = 0;
    for (const w of stage.workloads) {
      const share = stage.traffic[w.name] ?? 0;
      if (share === 0) continue;
      const y0 = yTraffic(below + share);
      const h = yTraffic(below) - y0;
      const tip = `${stage.name} / ${w.name}: ${formatShare(share)} of requests (${versionText(view, w.version)})`;
      out.push(...segment(x, y0, h, colour(w.name), pattern(w.version), tip, h >= 14 ? formatShare(share) : undefined));
      below += share;
    }
  });
  out.push(`<line x1="${MARGIN.left}" y1="${axisBottom}" x2="${MARGIN.left + plotWidth}" y2="${axisBottom}" stroke="#333333"/>`);

  // Stage names under the bars (bold for the current stage), in release order.
  view.stages.forEach((stage, i) => {
    const cx = columnX(i) + columnWidth / 2;
    out.push(text(cx, axisBottom + 18, stage.name, { size: 12, anchor: 'middle', weight: stage.current ? 'bold' : undefined }));
    if (stage.current) out.push(text(cx, axisBottom + 33, '(current)', { size: 11, anchor: 'middle', fill: '#444444' }));
  });
  out.push(text(MARGIN.left + plotWidth / 2, axisBottom + 48, 'stage (release order →)', { size: 12, anchor: 'middle', fill: '#444444' }));

  out.push(...key.lines);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function legend(
  x: number,
  y: number,
  workloads: readonly string[],
  versions: readonly VersionView[],
  colour: (name: string) => string,
): { readonly lines: string[]; readonly bottom: number } {
  const out = [text(x, y, 'workloads', { size: 12, weight: 'bold' })];
  let row = y + 10;
  for (const name of workloads) {
    out.push(`<rect x="${x}" y="${row}" width="14" height="14" fill="${colour(name)}"/>`);
    out.push(text(x + 20, row + 11, name, { size: 12 }));
    row += 20;
  }
  row += 16;
  out.push(text(x, row, 'versions', { size: 12, weight: 'bold' }));
  row += 10;
  for (const version of versions) {
    const p = (version.version - 1) % VERSION_PATTERNS.length;
    out.push(`<g><title>${esc(versionText({ versions }, version.version))}</title>`);
    out.push(`<rect x="${x}" y="${row}" width="14" height="14" fill="#777777"/>`);
    if (p > 0) out.push(`<rect x="${x}" y="${row}" width="14" height="14" fill="url(#version-${p})"/>`);
    out.push(text(x + 20, row + 11, shortImage(version.image), { size: 12 }));
    out.push('</g>');
    row += 20;
    // A version of an image already listed: what it changes, one line each (the tooltip has them all).
    for (const change of version.changes.slice(0, 3)) {
      out.push(text(x + 20, row + 9, clipped(change, 44), { size: 10, fill: '#444444' }));
      row += 14;
    }
    if (version.changes.length > 3) {
      out.push(text(x + 20, row + 9, `and ${version.changes.length - 3} more`, { size: 10, fill: '#444444' }));
      row += 14;
    }
  }
  return { lines: out, bottom: row };
}

/** A version in words: its image, and what it changes against the first version of that image. */
function versionText(view: Pick<PlanView, 'versions'>, version: number): string {
  const found = view.versions[version - 1];
  return found.changes.length === 0 ? found.image : `${found.image} with ${found.changes.join(', ')}`;
}

/** `text` cut to `max` characters, with an ellipsis when cut. */
function clipped(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A bar segment: the workload's colour, the version's hatching, a tooltip and an optional label. */
function segment(x: number, y: number, h: number, fill: string, pattern: number, tip: string, label: string | undefined): string[] {
  const box = `x="${fmt(x)}" y="${fmt(y)}" width="${BAR_WIDTH}" height="${fmt(h)}"`;
  const out = [`<g><title>${esc(tip)}</title>`, `<rect ${box} fill="${fill}" stroke="#ffffff" stroke-width="1"/>`];
  if (pattern > 0) out.push(`<rect ${box} fill="url(#version-${pattern})"/>`);
  if (label !== undefined) {
    out.push(
      text(x + BAR_WIDTH / 2, y + h / 2 + 4, label, { size: 11, anchor: 'middle', weight: 'bold', fill: textColourOn(fill), halo: fill }),
    );
  }
  out.push('</g>');
  return out;
}

function axisTitle(x: number, y: number, label: string): string {
  return `<text x="${x}" y="${fmt(y)}" ${FONT} font-size="12" fill="#444444" text-anchor="middle" transform="rotate(-90 ${x} ${fmt(y)})">${esc(label)}</text>`;
}

function text(
  x: number,
  y: number,
  content: string,
  o: { size: number; anchor?: 'start' | 'middle' | 'end'; weight?: 'bold'; fill?: string; halo?: string },
): string {
  const attrs = [
    `x="${fmt(x)}"`,
    `y="${fmt(y)}"`,
    FONT,
    `font-size="${o.size}"`,
    `fill="${o.fill ?? '#111111'}"`,
    ...(o.anchor && o.anchor !== 'start' ? [`text-anchor="${o.anchor}"`] : []),
    ...(o.weight ? [`font-weight="${o.weight}"`] : []),
    // A halo in the segment's colour keeps a label readable over the hatching.
    ...(o.halo ? [`stroke="${o.halo}"`, 'stroke-width="3"', 'paint-order="stroke"'] : []),
  ];
  return `<text ${attrs.join(' ')}>${esc(content)}</text>`;
}

/** Black or white, whichever reads better on `hex`. */
function textColourOn(hex: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return 0.299 * r + 0.587 * g + 0.114 * b > 150 ? '#111111' : '#ffffff';
}

/** Every workload that appears in some stage, in plan order of first appearance. */
function workloadOrder(view: PlanView): string[] {
  return unique(view.stages.flatMap((s: StageView) => s.workloads.map((w) => w.name)));
}

function unique(values: readonly string[]): string[] {
  return values.filter((v, i) => values.indexOf(v) === i);
}

/** A step of 1, 2 or 5 × 10^n giving four to eight grid lines up to `max`. */
function niceStep(max: number): number {
  for (let magnitude = 1; ; magnitude *= 10) {
    for (const m of [1, 2, 5]) if (max / (m * magnitude) <= 8) return m * magnitude;
  }
}

/** `registry.example.com/dora/fop-gate:1.4.0` → `fop-gate:1.4.0` (digests shortened to 12 characters). */
export function shortImage(image: string): string {
  const name = image.slice(image.lastIndexOf('/') + 1);
  const at = name.indexOf('@');
  return at >= 0 ? `${name.slice(0, at)}@${name.slice(at + 1, at + 20)}` : name;
}

/** Rough width of `s` in pixels at `size` (Helvetica averages about 0.58 em). */
function textWidth(s: string, size: number): number {
  return Math.ceil(s.length * size * 0.58);
}

/** A coordinate with at most two decimals, so output does not depend on float noise. */
function fmt(n: number): string {
  return String(Math.round(n * 100) / 100);
}

/** Escapes text for SVG/XML content and attribute values. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** `1 pod`, `11 pods`. */
function pods(n: number): string {
  return `${n} pod${n === 1 ? '' : 's'}`;
}

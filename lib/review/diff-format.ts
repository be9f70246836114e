/**
 * The review of a stage change as people and scripts read it: plain text for a terminal,
 * Markdown for a pull-request comment, JSON for tools. All three are deterministic (no
 * timestamps; workloads and Services in plan order; manifest files sorted by name).
 */
import type { Labels } from '../model';
import type { Finding } from '../model/finding';
import { patchText, type ManifestPatch } from './diff-manifests';
import { releaseText } from './plan-table';
import type { PlanChange } from './diff-plan-changes';
import { formatShare } from './traffic-share-format';
import type { Change, ServiceDiff, StageDiff, StageSide, WorkloadDiff } from './diff-stages';

/** Everything `stepwise diff` (and `promote`/`rollback`) shows about a stage change. */
export interface StageReview {
  /** The stack's name. */
  readonly stack: string;
  /** The semantic diff. */
  readonly diff: StageDiff;
  /** Changes to the plan itself (two versions of the stack file only); empty otherwise. */
  readonly planChanges: readonly PlanChange[];
  /** What `stepwise check` finds about this move (`checkStagePair`), errors first. */
  readonly findings: readonly Finding[];
  /** The rendered manifests' patches, or undefined when they were not rendered. */
  readonly patches?: readonly ManifestPatch[];
}

/** The output formats of `stepwise diff --format`. */
export const REVIEW_FORMATS = ['text', 'markdown', 'json'] as const;

/** One of {@link REVIEW_FORMATS}. */
export type ReviewFormat = (typeof REVIEW_FORMATS)[number];

/** The review in `format`, ending in a newline. */
export function formatReview(review: StageReview, format: ReviewFormat): string {
  if (format === 'markdown') return reviewMarkdown(review);
  if (format === 'json') return `${JSON.stringify(reviewJson(review), null, 2)}\n`;
  return reviewText(review);
}

/** `fop-gate: canary → canary-widened`, or with sources for two versions of the file. */
export function reviewTitle(review: StageReview): string {
  return `${review.stack}: ${sideName(review.diff.from)} → ${sideName(review.diff.to)}`;
}

function sideName(side: StageSide): string {
  return side.source ? `${side.stage} (${side.source})` : side.stage;
}

/** Re-exported: the formatter every review shares lives in traffic-share-format.ts. */
export { formatShare };

/** A selector as the review prints it: `{name: nginx, version: v2}`, keys sorted. */
export function formatSelector(labels: Labels | undefined): string {
  if (!labels) return '(none)';
  return `{${Object.keys(labels)
    .sort()
    .map((key) => `${key}: ${labels[key]}`)
    .join(', ')}}`;
}

/** One line per workload: `fop-gate-canary: image …:1.4.0 → …:1.5.0; replicas 1 → 3; traffic 10% → 30%`. */
export function workloadLine(w: WorkloadDiff): string {
  if (w.change === 'create') {
    return `${w.name}: created with ${plural(w.replicas.to ?? 0, 'replica')} of ${w.image.to}; traffic ${formatShare(w.traffic.to ?? 0)}`;
  }
  if (w.change === 'delete') {
    return `${w.name}: deleted (it had ${plural(w.replicas.from ?? 0, 'replica')} of ${w.image.from} and ${formatShare(w.traffic.from ?? 0)} of the traffic)`;
  }
  const parts: string[] = [];
  if (w.image.from !== w.image.to) parts.push(`image ${w.image.from} → ${w.image.to}${w.rollsOut ? '' : ' (paused: not rolled out yet)'}`);
  if (w.template.length > 0)
    parts.push(`pod template ${w.template.join(', ')}${w.rollsOut ? ' (rolls out)' : ' (paused: not rolled out yet)'}`);
  if (w.replicas.from !== w.replicas.to) parts.push(`replicas ${w.replicas.from} → ${w.replicas.to}`);
  if (w.paused.from !== w.paused.to) parts.push(w.paused.to ? 'paused' : 'resumed');
  const trafficBefore = formatShare(w.traffic.from ?? 0);
  const trafficAfter = formatShare(w.traffic.to ?? 0);
  if (parts.length > 0 || trafficBefore !== trafficAfter) {
    parts.push(trafficBefore === trafficAfter ? `traffic ${trafficAfter}` : `traffic ${trafficBefore} → ${trafficAfter}`);
  }
  if (parts.length === 0)
    return `${w.name}: unchanged (${plural(w.replicas.to ?? 0, 'replica')} of ${w.image.to}, traffic ${formatShare(w.traffic.to ?? 0)})`;
  return `${w.name}: ${parts.join('; ')}`;
}

/** One line per Service: its selector and ready endpoints before and after. */
export function serviceLine(s: ServiceDiff): string {
  if (!s.selector.from) return `${s.name}: created, selector ${formatSelector(s.selector.to)}; ${endpointsText(s, 'to')}`;
  if (!s.selector.to) return `${s.name}: deleted (selector ${formatSelector(s.selector.from)}; ${endpointsText(s, 'from')})`;
  const selector = s.selectorChanges
    ? `selector ${formatSelector(s.selector.from)} → ${formatSelector(s.selector.to)}`
    : `selector ${formatSelector(s.selector.to)}`;
  return `${s.name}: ${selector}; ready endpoints ${endpointsText(s, 'from')} → ${endpointsText(s, 'to')}`;
}

function endpointsText(s: ServiceDiff, side: 'from' | 'to'): string {
  const names = s.endpoints[side] ?? [];
  return `${s.readyEndpoints[side] ?? 0} (${names.length > 0 ? names.join(', ') : 'no workload'})`;
}

/** The capacity line of a Service: the fewest ready endpoints during the transition against the floor. */
export function capacityLine(s: ServiceDiff): string | undefined {
  if (!s.capacity) return undefined;
  const { minReadyEndpoints, during, floor } = s.capacity;
  const verdict = minReadyEndpoints >= floor ? 'ok' : `BELOW THE FLOOR by ${floor - minReadyEndpoints}`;
  return `${s.name}: at least ${plural(minReadyEndpoints, 'ready endpoint')} (fewest during ${during}), floor ${floor}: ${verdict}`;
}

/** Does any Service drop below its floor during the transition? */
export function belowFloor(diff: StageDiff): boolean {
  return diff.services.some((s) => s.capacity !== undefined && s.capacity.minReadyEndpoints < s.capacity.floor);
}

function podsLine(diff: StageDiff): string {
  const p = diff.pods;
  return `pods: ${p.before} before, ${p.after} after; at most ${p.peak} at once, at least ${p.minAvailable} available`;
}

/** A finding on one line, then its fix: `error capacity-below-floor Service/web (a → b): …`. */
export function findingLines(f: Finding): string[] {
  const where = f.stage ? ` (${f.stage})` : '';
  return [`${f.severity} ${f.rule} ${f.object}${where}: ${f.problem}`, `  fix: ${f.fix}`];
}

function findingsHeading(findings: readonly Finding[]): string {
  const errors = findings.filter((f) => f.severity === 'error').length;
  if (findings.length === 0) return 'Check of this move: no findings';
  return `Check of this move: ${plural(errors, 'error')}, ${plural(findings.length - errors, 'warning')}`;
}

function planChangeLine(c: PlanChange): string {
  return `${c.effect.toUpperCase()} ${c.object}: ${c.what} — ${c.consequence}`;
}

/**
 * The semantic summary as text, without the manifest patches: a title, workloads, Services, the
 * transition's capacity, and plan changes when there are any.
 */
export function summaryText(review: StageReview): string {
  const { diff } = review;
  const lines = [reviewTitle(review)];
  if (diff.unchanged && review.planChanges.length === 0 && review.findings.length === 0) {
    lines.push('  no change: the two stages run the same workloads, pod templates, replicas, selectors and traffic shares');
    return `${lines.join('\n')}\n`;
  }
  lines.push('', 'Workloads:', ...diff.workloads.map((w) => `  ${workloadLine(w)}`));
  lines.push('', 'Services:', ...diff.services.map((s) => `  ${serviceLine(s)}`));
  lines.push('', 'Transition (make → switch → break):', `  ${podsLine(diff)}`);
  for (const s of diff.services) {
    const line = capacityLine(s);
    if (line) lines.push(`  ${line}`);
  }
  if (diff.release) lines.push('', `Release policy of ${diff.to.stage}: ${releaseText(diff.release)}`);
  if (review.planChanges.length > 0) {
    lines.push('', 'Plan changes (REPLACE: Pulumi deletes and recreates the object; ROLL-OUT: every pod is replaced):');
    lines.push(...review.planChanges.map((c) => `  ${planChangeLine(c)}`));
  }
  lines.push('', findingsHeading(review.findings), ...review.findings.flatMap(findingLines).map((line) => `  ${line}`));
  return `${lines.join('\n')}\n`;
}

function reviewText(review: StageReview): string {
  const summary = summaryText(review);
  if (!review.patches) return summary;
  const changed = review.patches.length;
  const heading = changed === 0 ? 'Manifests: no file changes' : `Manifests (${plural(changed, 'file')} changed):`;
  return `${summary}\n${heading}\n${patchText(review.patches)}`;
}

function reviewMarkdown(review: StageReview): string {
  const { diff } = review;
  const out: string[] = [`### \`${review.stack}\`: ${code(sideName(diff.from))} → ${code(sideName(diff.to))}`, ''];
  if (diff.unchanged && review.planChanges.length === 0 && review.findings.length === 0) {
    out.push('No change: the two stages run the same workloads, pod templates, replicas, selectors and traffic shares.', '');
  } else {
    out.push('| workload | change | replicas | image | traffic |', '| --- | --- | --- | --- | --- |');
    for (const w of diff.workloads) {
      out.push(
        row([
          code(w.name),
          w.change,
          arrow(w.replicas, String),
          arrow(w.image, (image) => code(image)),
          arrow(w.traffic, (share) => formatShare(share)),
        ]),
      );
    }
    out.push('', '| Service | selector | ready endpoints | fewest during the transition | floor |', '| --- | --- | --- | --- | --- |');
    for (const s of diff.services) {
      const capacity = s.capacity
        ? `${s.capacity.minReadyEndpoints} (during ${s.capacity.during})${s.capacity.minReadyEndpoints < s.capacity.floor ? ' **below the floor**' : ''}`
        : '—';
      out.push(
        row([
          code(s.name),
          arrow(s.selector, (l) => code(formatSelector(l))),
          arrow(s.readyEndpoints, String),
          capacity,
          s.capacity ? String(s.capacity.floor) : '—',
        ]),
      );
    }
    out.push('', `**Transition** (make → switch → break): ${podsLine(diff)}.`, '');
    if (diff.release) out.push(`**Release policy** of ${code(diff.to.stage)}: ${releaseText(diff.release)}.`, '');
    if (review.planChanges.length > 0) {
      out.push('#### Plan changes', '');
      for (const c of review.planChanges)
        out.push(`- **${c.effect}** ${code(c.object)}: ${escapeMarkdown(c.what)} — ${escapeMarkdown(c.consequence)}`);
      out.push('');
    }
    out.push(`#### ${findingsHeading(review.findings)}`, '');
    for (const f of review.findings) {
      out.push(
        `- **${f.severity}** \`${f.rule}\` ${code(f.object)}${f.stage ? ` (${escapeMarkdown(f.stage)})` : ''}: ${escapeMarkdown(f.problem)}. Fix: ${escapeMarkdown(f.fix)}`,
      );
    }
    if (review.findings.length > 0) out.push('');
  }
  if (review.patches) {
    out.push(`#### Manifests (${plural(review.patches.length, 'file')} changed)`, '');
    if (review.patches.length > 0) out.push('```diff', patchText(review.patches).trimEnd(), '```', '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** The review as plain JSON: sides that do not exist are `null`, the patches one string. */
export function reviewJson(review: StageReview): Record<string, unknown> {
  const { diff } = review;
  const side = (s: StageSide) => ({ stage: s.stage, source: s.source ?? null });
  const pair = <T>(c: Change<T>) => ({ from: c.from ?? null, to: c.to ?? null });
  return {
    stack: review.stack,
    from: side(diff.from),
    to: side(diff.to),
    unchanged: diff.unchanged && review.planChanges.length === 0,
    workloads: diff.workloads.map((w) => ({
      name: w.name,
      change: w.change,
      replicas: pair(w.replicas),
      image: pair(w.image),
      paused: pair(w.paused),
      traffic: pair(w.traffic),
      rollsOut: w.rollsOut,
      phase: w.phase,
      ...(w.template.length > 0 ? { template: w.template } : {}),
    })),
    services: diff.services.map((s) => ({
      name: s.name,
      selector: pair(s.selector),
      selectorChanges: s.selectorChanges,
      endpoints: pair(s.endpoints),
      readyEndpoints: pair(s.readyEndpoints),
      minReadyEndpoints: s.capacity?.minReadyEndpoints ?? null,
      minDuring: s.capacity?.during ?? null,
      capacityFloor: s.capacity?.floor ?? null,
    })),
    pods: diff.pods,
    belowFloor: belowFloor(diff),
    release: diff.release,
    planChanges: review.planChanges,
    findings: review.findings,
    files: review.patches ? review.patches.map((p) => ({ name: p.name, status: p.status })) : null,
    patch: review.patches ? patchText(review.patches) : null,
  };
}

function arrow<T>(change: Change<T>, show: (value: T) => string): string {
  if (change.from === undefined) return change.to === undefined ? '—' : `(new) → ${show(change.to)}`;
  if (change.to === undefined) return `${show(change.from)} → (gone)`;
  const a = show(change.from);
  const b = show(change.to);
  return a === b ? a : `${a} → ${b}`;
}

function row(cells: readonly string[]): string {
  return `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

function escapeMarkdown(text: string): string {
  return text.replace(/([\\*_[\]<>|])/g, '\\$1');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * `stepwise status` as text, drawn from the report (status-report.ts): the stage (or the drift,
 * field by field), the rollouts in progress, a table of Deployments, a table of Services with
 * their real endpoints and traffic share next to the plan's, the router's weights, the missing and
 * extra objects, and a last line saying what the exit code means.
 */
import { formatLabels } from '../model/labels';
import { formatShare } from '../review/traffic-share-format';
import type { SpecDifference } from './stage-match';
import type { StatusFinding, StatusReport } from './status-report';

const FINDING_WORDS: Readonly<Record<StatusFinding, string>> = {
  drift: 'drift from the plan',
  missing: 'missing objects',
  extra: 'extra objects',
  rolling: 'a rollout in progress',
};

/** The report as text. */
export function formatStatus(report: StatusReport): string {
  const r = report;
  const out = [`${r.stack}: namespace ${r.namespace}, context ${r.context} (${r.server})`, ...stageLines(r), ...rolloutLines(r)];

  if (r.deployments.length > 0) {
    out.push('');
    out.push(
      ...table(
        ['DEPLOYMENT', 'DESIRED', 'CURRENT', 'UPDATED', 'READY', 'AVAILABLE', 'IMAGE'],
        r.deployments.map((d) =>
          d.exists
            ? [
                d.name,
                String(d.desired),
                String(d.current),
                String(d.updated),
                String(d.ready),
                String(d.available),
                Object.values(d.images).join(', ') + (d.paused ? ' (paused)' : ''),
              ]
            : [d.name, '', '', '', '', '', '(missing)'],
        ),
        'lrrrrrl',
      ),
    );
  }

  if (r.services.length > 0) {
    out.push('');
    const rows: string[][] = [];
    for (const s of r.services) {
      const head = [s.name, s.exists ? formatLabels(s.selector ?? {}) || '(no selector)' : '(missing)'];
      if (s.workloads.length === 0) rows.push([...head, '(no endpoints)', '0', '0', '', '0', '']);
      s.workloads.forEach((w, i) =>
        rows.push([
          ...(i === 0 ? head : ['', '']),
          w.workload ?? '(pods of no Deployment)',
          String(w.ready),
          String(w.notReady),
          w.share === null ? '?' : formatShare(w.share, { fixedDecimal: true }),
          String(w.plannedReady),
          formatShare(w.plannedShare, { fixedDecimal: true }),
        ]),
      );
    }
    const planned = `IN ${r.comparedStage.toUpperCase()}`;
    out.push(...table(['SERVICE', 'SELECTOR', 'WORKLOAD', 'READY', 'NOT READY', 'SHARE', planned, 'SHARE'], rows, 'lllrrrrr'));
    for (const s of r.services.filter((s) => s.shareBy === 'router weights')) {
      out.push(`  Service ${s.name}: SHARE is the router's weight of each track, spread over the ready endpoints of the track's Service`);
    }
  }

  if (r.router) {
    const weights = Object.entries(r.router.plannedWeights)
      .map(([track, planned]) => `${track} ${r.router?.weights ? (r.router.weights[track] ?? '?') : '?'} (${r.comparedStage}: ${planned})`)
      .join(', ');
    const unknown = r.router.unknown ? `; not read: ${r.router.unknown}` : '';
    out.push('', `router ${r.router.router}, ${r.router.object.kind} ${r.router.object.name}: weights ${weights}${unknown}`);
  }

  out.push('', ...objectLines(r), resultLine(r));
  return `${out.join('\n')}\n`;
}

function stageLines(r: StatusReport): string[] {
  if (r.stage === null) {
    const lines = [`stage: none of the plan's stages matches; what differs from ${r.stackStage} (stepwise:stage):`];
    // A missing object is listed once, under "missing".
    for (const d of r.drift) if (!(d.field === 'exists' && d.planned === true)) lines.push(`  ${differenceLine(d, r.stackStage)}`);
    if (lines.length === 1) lines.push('  only the missing objects below');
    if (r.nearest && r.nearest.stage !== r.stackStage) {
      const n = r.nearest.differences;
      lines.push(`nearest stage: ${r.nearest.stage}, ${n} difference${n === 1 ? '' : 's'} (${r.drift.length} from ${r.stackStage})`);
    }
    return lines;
  }
  const others = r.matches.filter((m) => m !== r.stage);
  const also =
    others.length > 0 ? ` (also matches ${others.join(', ')}: they differ only in the router's weights, which were not read)` : '';
  const pending =
    r.stage === r.stackStage ? ', as the stack file says' : `; the stack file says ${r.stackStage} (stepwise:stage), not applied yet`;
  return [`stage: ${r.stage}${pending}${also}`];
}

/** One drift line: `Deployment fop-gate: spec.replicas is 7, baseline has 9`. */
export function differenceLine(d: SpecDifference, stage: string): string {
  const value = (v: SpecDifference['live']) => (v === null ? 'none' : v === '' ? '(empty)' : String(v));
  if (d.field === 'exists') return d.live ? `${d.kind} ${d.name} exists; ${stage} does not have it` : `${d.kind} ${d.name} is missing`;
  return `${d.kind} ${d.name}: ${d.field} is ${value(d.live)}, ${stage} has ${value(d.planned)}`;
}

function rolloutLines(r: StatusReport): string[] {
  if (r.rolling.length === 0) return ['rollout: settled'];
  return [
    'rollout: in progress',
    ...r.rolling.map((p) => {
      const stalled = p.stalled !== undefined ? `${p.waitingFor.length > 0 ? '; ' : ''}stalled: ${p.stalled}` : '';
      return `  ${p.deployment}: ${p.waitingFor.join(', ')}${stalled}`;
    }),
  ];
}

function objectLines(r: StatusReport): string[] {
  const lines: string[] = [];
  if (r.namespaceExists === false) lines.push(`missing: namespace ${r.namespace}`);
  const ref = (o: { kind: string; name: string; reason?: string }) => `${o.kind} ${o.name}${o.reason ? ` (${o.reason})` : ''}`;
  lines.push(r.missing.length > 0 ? `missing: ${r.missing.map(ref).join(', ')}` : `missing: none of what ${r.comparedStage} renders`);
  const owner = formatLabels(r.ownerLabels);
  lines.push(r.extra.length > 0 ? `extra (labelled ${owner}): ${r.extra.map(ref).join(', ')}` : `extra: none (labelled ${owner})`);
  return lines;
}

function resultLine(r: StatusReport): string {
  if (r.exitCode === 0) return `result: at stage ${r.stage}, settled (exit 0)`;
  return `result: ${r.findings.map((f) => FINDING_WORDS[f]).join(', ')} (exit 1)`;
}

/** Columns padded to their widest cell; `align` has one `l` or `r` per column. */
function table(header: readonly string[], rows: readonly (readonly string[])[], align: string): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: readonly string[]) =>
    `  ${cells.map((c, i) => (align[i] === 'r' ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ')}`.trimEnd();
  return [line(header), ...rows.map(line)];
}

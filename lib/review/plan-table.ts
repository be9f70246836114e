import { formatLabels } from '../model/labels';
import type { PlanView, StageReleaseView, StageView, TransitionView } from './plan-json';
import { formatShare } from './traffic-share-format';

/**
 * `stepwise plan` as text: one table, stage by stage. Each stage lists its workloads (replicas,
 * image, traffic share) and its Services (selector → endpoints); between two stages a `↓` line
 * gives the transition's peak pods, fewest available pods and, per Service, the fewest ready
 * endpoints against the capacity floor. The current stage is marked `*`; a stage with a release
 * policy (soak, approval, onFailure) gets a `release:` line.
 */
export function planTable(view: PlanView): string {
  const rows = view.stages.flatMap((stage) => stage.workloads.map((w) => ({ stage, w })));
  const width = {
    stage: Math.max('STAGE'.length, ...view.stages.map((s) => s.name.length)),
    workload: Math.max('WORKLOAD'.length, ...rows.map((r) => r.w.name.length)),
    image: Math.max('IMAGE'.length, ...rows.map((r) => imageCell(r.w).length)),
  };
  const line = (mark: string, stage: string, workload: string, replicas: string, image: string, traffic: string) =>
    `${mark} ${stage.padEnd(width.stage)}  ${workload.padEnd(width.workload)}  ${replicas.padStart(8)}  ${image.padEnd(width.image)}  ${traffic.padStart(7)}`.trimEnd();
  const indent = ' '.repeat(2 + width.stage + 2);

  const out = [
    `${view.stack}: ${view.kind} in namespace ${view.namespace}, current stage ${view.stage} (marked *)`,
    '',
    line(' ', 'STAGE', 'WORKLOAD', 'REPLICAS', 'IMAGE', 'TRAFFIC'),
  ];
  view.stages.forEach((stage, i) => {
    if (i > 0) out.push(...transitionLines(view.transitions[i - 1]));
    out.push(...stageLines(stage, line, indent));
  });
  return `${out.join('\n')}\n`;
}

type Line = (mark: string, stage: string, workload: string, replicas: string, image: string, traffic: string) => string;

function stageLines(stage: StageView, line: Line, indent: string): string[] {
  const mark = stage.current ? '*' : ' ';
  const lines =
    stage.workloads.length === 0
      ? [line(mark, stage.name, '(no workloads)', '', '', '')]
      : stage.workloads.map((w, i) =>
          line(
            i === 0 ? mark : ' ',
            i === 0 ? stage.name : '',
            w.name,
            String(w.replicas),
            imageCell(w),
            formatShare(stage.traffic[w.name] ?? 0, { fixedDecimal: true }),
          ),
        );
  for (const s of stage.services) {
    const endpoints = s.endpoints.length > 0 ? `${s.endpoints.join(', ')} (${s.readyEndpoints} ready)` : 'no endpoints';
    lines.push(`${indent}Service ${s.name}: ${formatLabels(s.selector)} → ${endpoints}`);
  }
  if (stage.release) lines.push(`${indent}release: ${releaseText(stage.release)}`);
  return lines;
}

function transitionLines(t: TransitionView): string[] {
  const services = t.services.map((s) => {
    const notes = [`floor ${s.capacityFloor}`, ...(s.selectorChanges ? ['selector switches'] : [])].join(', ');
    const verdict = s.minReadyEndpoints < s.capacityFloor ? ' BELOW FLOOR' : '';
    return `Service ${s.name}: at least ${s.minReadyEndpoints} ready endpoint${s.minReadyEndpoints === 1 ? '' : 's'} (${notes})${verdict}`;
  });
  const head = `  ↓ ${t.from} → ${t.to}: peak ${t.peakPods} pod${t.peakPods === 1 ? '' : 's'}, at least ${t.minAvailablePods} available`;
  // A pod template change other than the image is invisible in the table's columns: each gets a line.
  const templates = t.workloads.flatMap((w) =>
    w.template ? [`      ${w.name}: ${w.rollsOut ? 'rolls out' : 'takes (paused, not rolled out)'} ${w.template.join('; ')}`] : [],
  );
  // One Service (the usual case) fits on the transition's line; several get a line each.
  if (services.length === 1) return [`${head}; ${services[0]}`, ...templates];
  return [head, ...services.map((s) => `      ${s}`), ...templates];
}

/** `soak 5m, approval required, on failure pause`. */
export function releaseText(release: StageReleaseView): string {
  return [
    release.soak === null ? 'no soak' : `soak ${release.soak}`,
    release.approval === 'required' ? 'approval required' : 'no approval',
    `on failure ${release.onFailure}`,
  ].join(', ');
}

function imageCell(w: { image: string; paused: boolean }): string {
  return w.paused ? `${w.image} (paused)` : w.image;
}

/**
 * `npm run bench`: render throughput of synthetic stacks (stepwise against plain cdk8s-plus-27),
 * growth with size, and cold CLI latency, printed as tables against the targets and written to
 * bench/results/latest.json. Each measurement runs in its own child process (honest peak RSS).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listStacks } from '../lib/stacks';
import { measureBigStacks, type BigStackSection } from './cli-big-stacks';
import { measureCli, type CliSection } from './cli-latency';
import type { RenderMeasurement } from './measure-render';
import { STATUS_SIZES, type StatusMeasurement } from './status-big-stacks';
import type { SyntheticShape } from './synthetic-stack';
import {
  TARGETS,
  bigStackRows,
  bigStackTargetRows,
  cliRows,
  growthRows,
  renderRows,
  statusRows,
  statusTargetRows,
  targetRows,
  type Row,
} from './targets';

const ROOT = path.resolve(__dirname, '..');
const SIZES = [10, 100, 1000, 2000];
const SHAPES: SyntheticShape[] = ['canary-pairs', 'batches'];
const IMPLEMENTATIONS: RenderMeasurement['implementation'][] = ['stepwise', 'plain-cdk8s-plus'];

function measureInChild(implementation: string, shape: SyntheticShape, workloads: number): RenderMeasurement {
  const result = spawnSync(
    process.execPath,
    [...process.execArgv, path.join(__dirname, 'measure-render.ts'), implementation, shape, String(workloads)],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
  );
  if (result.status !== 0) throw new Error(`measuring ${implementation} ${shape} ${workloads} failed:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1) as string) as RenderMeasurement;
}

function measureStatusInChild(workloads: number): StatusMeasurement {
  const result = spawnSync(process.execPath, [...process.execArgv, path.join(__dirname, 'status-big-stacks.ts'), String(workloads)], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`measuring status at ${workloads} workloads failed:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1) as string) as StatusMeasurement;
}

function table(title: string, rows: readonly Row[]): string {
  if (rows.length === 0) return `${title}\n  (none)\n`;
  const headers = Object.keys(rows[0]);
  const widths = headers.map((h) => Math.max(h.length, ...rows.map((r) => String(r[h] ?? '').length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => c.padEnd(widths[i])).join('  ')}`.trimEnd();
  return [
    title,
    line(headers),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map((r) => line(headers.map((h) => String(r[h] ?? '')))),
  ].join('\n');
}

function main(): void {
  const started = performance.now();
  const loadBefore = os.loadavg()[0];
  const render: RenderMeasurement[] = [];
  for (const shape of SHAPES) {
    for (const workloads of SIZES) {
      for (const implementation of IMPLEMENTATIONS) {
        process.stderr.write(`measuring ${implementation} ${shape} ${workloads} workloads...\n`);
        render.push(measureInChild(implementation, shape, workloads));
      }
    }
  }
  process.stderr.write('measuring CLI latency...\n');
  const cli: CliSection = measureCli(ROOT, listStacks(path.join(ROOT, 'stacks')));

  process.stderr.write('measuring the CLI on big stacks...\n');
  const bigStacks: BigStackSection = measureBigStacks(ROOT);

  const status: StatusMeasurement[] = [];
  for (const workloads of STATUS_SIZES) {
    process.stderr.write(`measuring status at ${workloads} workloads...\n`);
    status.push(measureStatusInChild(workloads));
  }

  const targets = [...targetRows(render, cli), ...bigStackTargetRows(bigStacks), ...statusTargetRows(status)];
  const out = [
    table(
      'Render throughput (plan data → YAML; one stage = the last stage, median of the timed runs after one discarded run at the same size (reported as "first run"); all stages = median of 3 runs; ratio = plain cdk8s-plus time / stepwise time)',
      renderRows(render),
    ),
    table('Growth per doubling of workloads (t(2N)/t(N); over a 10× step, (t(10N)/t(N))^log10(2))', growthRows(render)),
    'skipped' in cli
      ? `CLI latency (cold node process, median of runs)\n  skipped: ${cli.skipped}`
      : table('CLI latency (cold node process, median of runs)', cliRows(cli)),
    'skipped' in bigStacks
      ? `CLI on big stacks (cold node process)\n  skipped: ${bigStacks.skipped}`
      : table(
          `CLI on big stacks (cold node process, median of runs; × smallest = over the same command on ${bigStacks.baselineStack})`,
          bigStackRows(bigStacks),
        ),
    table(
      'stepwise status on big stacks, after reading the cluster (in process, median of runs: compare the settled cluster with every stage, then build the report)',
      statusRows(status),
    ),
    table('Targets', targets),
  ].join('\n\n');
  process.stdout.write(`${out}\n`);

  const record = {
    measuredAt: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      platform: process.platform,
    },
    targets: TARGETS,
    render,
    cli,
    bigStacks,
    status,
    verdicts: targets,
    // Other processes on the machine distort every number: the 1-minute load average before and after.
    loadAverage: { before: Number(loadBefore.toFixed(2)), after: Number(os.loadavg()[0].toFixed(2)) },
    benchSeconds: Math.round((performance.now() - started) / 1000),
  };
  fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
  fs.writeFileSync(path.join(__dirname, 'results', 'latest.json'), `${JSON.stringify(record, null, 2)}\n`);
  process.stdout.write(
    `\nwritten bench/results/latest.json (${record.benchSeconds}s; ${record.machine.cpus} cpus, load average ${record.loadAverage.before} before, ${record.loadAverage.after} after)\n`,
  );
}

main();

/**
 * A real Prometheus for the metric-gate tests: the `prometheus` binary (Debian package) on a free
 * loopback port with a temporary config and TSDB, scraping a small local app that serves
 * Prometheus text-format request counters and latency histograms for fake workloads.
 *
 * Nothing here is a service: every process and directory is started by the test and removed in
 * `stop()` (and, should a test crash, when the Node process exits).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before } from 'node:test';

/** Where the tests look for Prometheus: `$PROMETHEUS_BIN`, else the Debian package's binary, else `$PATH`. */
export function prometheusBinary(): string {
  const candidates = [
    process.env.PROMETHEUS_BIN,
    '/usr/bin/prometheus',
    ...(process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, 'prometheus')),
  ];
  for (const candidate of candidates) {
    if (candidate && isExecutable(candidate)) return candidate;
  }
  throw new Error(
    'the metric-gate integration tests need a real Prometheus, but no `prometheus` binary was found ' +
      '(looked at $PROMETHEUS_BIN, /usr/bin/prometheus and $PATH): install it with ' +
      '`apt-get update && apt-get install -y --no-install-recommends prometheus` (.ci/run does this)',
  );
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it). */
export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The traffic a fake workload serves between two scrapes. */
export interface TrafficProfile {
  /** The workload's pod labels; every series it exposes carries them. */
  readonly labels: Readonly<Record<string, string>>;
  /** Requests served between two scrapes; 0 for an idle workload (its counters never move). */
  readonly requestsPerScrape: number;
  /** Share of those requests answered with HTTP 500 (the rest get 200). */
  readonly errorShare: number;
  /** Share of those requests that take 0.5-1 s (the rest finish within 50 ms). */
  readonly slowShare: number;
}

/** The local app Prometheus scrapes. */
export interface MetricsApp {
  /** `127.0.0.1:<port>`, the scrape target. */
  readonly target: string;
  /** How many series of `http_requests_total` it exposes (two per workload: code 200 and 500). */
  readonly requestSeries: number;
  /** Stops the server. */
  stop(): Promise<void>;
}

const BUCKETS = ['0.05', '0.1', '0.25', '0.5', '1', '2.5', '+Inf'];
const FAST_SECONDS = 0.02;
const SLOW_SECONDS = 0.8;

/**
 * Starts an HTTP server on a free loopback port whose `/metrics` serves the workloads' counters
 * and histograms in Prometheus text format; every scrape advances the counters by one round of
 * traffic, so `rate()` sees steady traffic with exactly the profile's shares.
 */
export async function startMetricsApp(workloads: readonly TrafficProfile[]): Promise<MetricsApp> {
  const totals = workloads.map(() => ({ ok: 0, errors: 0, fast: 0, slow: 0 }));
  const server = http.createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    workloads.forEach((workload, i) => {
      const errors = Math.round(workload.requestsPerScrape * workload.errorShare);
      const slow = Math.round(workload.requestsPerScrape * workload.slowShare);
      totals[i].ok += workload.requestsPerScrape - errors;
      totals[i].errors += errors;
      totals[i].fast += workload.requestsPerScrape - slow;
      totals[i].slow += slow;
    });
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    response.end(exposition(workloads, totals));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    target: `127.0.0.1:${port}`,
    requestSeries: workloads.length * 2,
    stop: () => closeServer(server),
  };
}

function exposition(
  workloads: readonly TrafficProfile[],
  totals: readonly { ok: number; errors: number; fast: number; slow: number }[],
): string {
  const lines = ['# HELP http_requests_total Requests served.', '# TYPE http_requests_total counter'];
  workloads.forEach((workload, i) => {
    lines.push(`http_requests_total{${labelText({ ...workload.labels, code: '200' })}} ${totals[i].ok}`);
    lines.push(`http_requests_total{${labelText({ ...workload.labels, code: '500' })}} ${totals[i].errors}`);
  });
  lines.push('# HELP http_request_duration_seconds Request latency.', '# TYPE http_request_duration_seconds histogram');
  workloads.forEach((workload, i) => {
    const { fast, slow } = totals[i];
    for (const le of BUCKETS) {
      const count = le === '0.05' || le === '0.1' || le === '0.25' || le === '0.5' ? fast : fast + slow;
      lines.push(`http_request_duration_seconds_bucket{${labelText({ ...workload.labels, le })}} ${count}`);
    }
    lines.push(`http_request_duration_seconds_sum{${labelText(workload.labels)}} ${fast * FAST_SECONDS + slow * SLOW_SECONDS}`);
    lines.push(`http_request_duration_seconds_count{${labelText(workload.labels)}} ${fast + slow}`);
  });
  return `${lines.join('\n')}\n`;
}

function labelText(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels)
    .sort()
    .map((key) => `${key.replace(/[^A-Za-z0-9_]/g, '_')}=${JSON.stringify(labels[key])}`)
    .join(',');
}

/** A Prometheus started by a test. */
export interface RunningPrometheus {
  /** Its base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Stops the process and removes its config and TSDB. */
  stop(): Promise<void>;
}

/**
 * Starts `prometheus` on a free loopback port scraping `target` every second, and waits (bounded)
 * until it answers `/-/ready`. Retries on another port if the chosen one was taken meanwhile.
 */
export async function startPrometheus(target: string): Promise<RunningPrometheus> {
  const binary = prometheusBinary();
  let lastProblem = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const started = await launch(binary, target);
    const problem = await waitUntilReady(started, 30_000);
    if (!problem) return { url: started.url, stop: () => started.stop() };
    lastProblem = problem;
    await started.stop();
  }
  throw new Error(`Prometheus did not start: ${lastProblem}`);
}

interface LaunchedPrometheus {
  readonly url: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  exited(): boolean;
  stop(): Promise<void>;
}

async function launch(binary: string, target: string): Promise<LaunchedPrometheus> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-prometheus-'));
  const configFile = path.join(dir, 'prometheus.yml');
  const logFile = path.join(dir, 'prometheus.log');
  fs.writeFileSync(
    configFile,
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: stepwise-gate-test',
      '    honor_labels: true',
      '    static_configs:',
      `      - targets: ['${target}']`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const log = fs.openSync(logFile, 'a');
  const child = spawn(
    binary,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { cwd: dir, stdio: ['ignore', log, log] },
  );
  fs.closeSync(log);
  let hasExited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      hasExited = true;
      resolve();
    });
    child.once('error', () => {
      hasExited = true;
      resolve();
    });
  });
  // Should the test process die without running its `after` hooks, do not leave Prometheus behind.
  const killOnExit = (): void => {
    if (!hasExited) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const stop = async (): Promise<void> => {
    if (!hasExited) {
      child.kill('SIGTERM');
      const killed = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(killed);
    }
    process.removeListener('exit', killOnExit);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { url: `http://127.0.0.1:${port}`, child, logFile, exited: () => hasExited, stop };
}

/** Undefined once Prometheus answers `/-/ready`; else why it did not (it exited, or time ran out). */
async function waitUntilReady(prometheus: LaunchedPrometheus, timeoutMs: number): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (prometheus.exited()) return `it exited early; its log says: ${logTail(prometheus.logFile)}`;
    try {
      const response = await fetch(`${prometheus.url}/-/ready`, { signal: AbortSignal.timeout(2_000) });
      await response.text();
      if (response.ok) return undefined;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  return `it was not ready after ${timeoutMs / 1000} s; its log says: ${logTail(prometheus.logFile)}`;
}

function logTail(file: string): string {
  try {
    const text = fs.readFileSync(file, 'utf8').trim();
    return text.length > 1500 ? `...${text.slice(-1500)}` : text || '(nothing)';
  } catch {
    return '(no log)';
  }
}

/**
 * Polls the query API until `query` returns a vector whose first value satisfies `ready`, for at
 * most `timeoutMs`. Prometheus is ready at once but needs a few scrapes before `rate()` has data.
 */
export async function waitForQuery(url: string, query: string, ready: (value: number) => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query })}`, { signal: AbortSignal.timeout(5_000) });
      const body = (await response.json()) as { data?: { result?: { value?: [number, string] }[] } };
      const first = body.data?.result?.[0]?.value?.[1];
      last = first === undefined ? 'no series yet' : `value ${first}`;
      if (first !== undefined && ready(Number(first))) return;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(250);
  }
  throw new Error(`Prometheus at ${url} had no usable data for \`${query}\` after ${timeoutMs / 1000} s (last: ${last})`);
}

/** An HTTP server on a free loopback port that accepts requests and never answers (to test timeouts). */
export async function startSilentServer(): Promise<{ readonly url: string; stop(): Promise<void> }> {
  const server = http.createServer(() => {
    // never respond
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, stop: () => closeServer(server) };
}

function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * For the suite it is called in: a metrics app serving `traffic` and a Prometheus scraping it,
 * ready once every request series has a few samples in a 10 s window (so `rate()` has data), and
 * both stopped after the suite. Returns a function giving Prometheus' URL that rethrows why it
 * could not start, so every test needing it fails with the reason (e.g. no binary), not only a hook.
 */
export function prometheusScraping(traffic: readonly TrafficProfile[]): () => string {
  let app: MetricsApp | undefined;
  let prometheus: RunningPrometheus | undefined;
  let startupError: unknown;
  before(async () => {
    try {
      app = await startMetricsApp(traffic);
      prometheus = await startPrometheus(app.target);
      const expected = app.requestSeries;
      await waitForQuery(prometheus.url, 'count(count_over_time(http_requests_total[10s]) >= 3)', (count) => count === expected);
    } catch (error) {
      startupError = error;
    }
  });
  after(async () => {
    await prometheus?.stop();
    await app?.stop();
  });
  return () => {
    if (startupError) throw startupError;
    if (!prometheus) throw new Error('Prometheus did not start');
    return prometheus.url;
  };
}

/**
 * `stepwise status` as a user runs it, without a cluster: its usage errors, a cluster it cannot
 * reach or read (exit 3, naming the server and the context), and what it loads. What it reports
 * about a real cluster is in e2e/status.e2e.test.ts.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertExit, assertNoStackTrace, runCli, stacksProject, type CliResult, type StacksProject } from './support/cli';
import { ROOT, tempDir } from './support/example-stacks';

/** A kubeconfig file with one context, `name`, for a cluster at `server`. */
function kubeconfig(server: string, name = 'test-cluster'): string {
  const file = path.join(tempDir(), 'kubeconfig');
  const insecure = server.startsWith('http:') ? { 'insecure-skip-tls-verify': true } : {};
  fs.writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server, ...insecure } }],
      users: [{ name: 'u', user: { token: 'not-a-real-token' } }],
      contexts: [{ name, context: { cluster: 'c', user: 'u' } }],
      'current-context': name,
    }),
  );
  return file;
}

/** `stepwise ARGS` in `project` with `env` added (a KUBECONFIG), asserting it printed no stack trace. */
async function runWith(project: StacksProject, env: Record<string, string>, ...args: string[]): Promise<CliResult> {
  const result = await runCli(args, { cwd: project.dir, env });
  assertNoStackTrace(result.stderr);
  return result;
}

/** A port on 127.0.0.1 nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('stepwise status: usage', () => {
  test('--help prints the usage with the exit codes', async () => {
    const result = await stacksProject().run('status', '--help');
    assertExit(result, 0);
    assert.match(result.stdout, /^usage: stepwise status <stack> \[--context NAME\] \[--json\]/);
    assert.match(result.stdout, /3 the cluster cannot be reached or read/);
  });

  test('without a stack name: exit 2', async () => {
    const result = await stacksProject().run('status');
    assertExit(result, 2);
    assert.match(result.stderr, /^stepwise: missing the stack name/);
  });

  test('a --timeout that is not a positive number: exit 2, naming it', async () => {
    const result = await stacksProject().run('status', 'fop-gate', '--timeout', '0');
    assertExit(result, 2);
    assert.match(result.stderr, /--timeout '0' is not a positive number of seconds/);
  });

  test('an unknown --context: exit 2, listing the contexts', async () => {
    const project = stacksProject();
    const file = kubeconfig('https://127.0.0.1:1', 'prod-eu');
    const result = await runWith(project, { KUBECONFIG: file }, 'status', 'fop-gate', '--context', 'prod-ue');
    assertExit(result, 2);
    assert.match(
      result.stderr,
      /--context prod-ue: no such context in .*kubeconfig \(did you mean 'prod-eu'\?\) \(fix: use one of: prod-eu\)/,
    );
  });

  test('an invalid stack file: exit 2 (1 would say the cluster drifted), with the file and key', async () => {
    const project = stacksProject();
    fs.writeFileSync(project.file('fop-gate'), project.read('fop-gate').replace('replicas: 9,', 'replicas: -9,'));
    const result = await runWith(project, { KUBECONFIG: kubeconfig('https://127.0.0.1:1') }, 'status', 'fop-gate');
    assertExit(result, 2);
    assert.match(result.stderr, /Pulumi\.fop-gate\.yaml: config\.stepwise:plan\.stages\[0\]\.workloads\.fop-gate\.replicas/);
  });
});

describe('stepwise status: a cluster it cannot reach or read exits 3', () => {
  test('nothing listening: the server URL, the context and the reason, no stack trace', async () => {
    const port = await closedPort();
    const result = await runWith(stacksProject(), { KUBECONFIG: kubeconfig(`https://127.0.0.1:${port}`) }, 'status', 'fop-gate');
    assertExit(result, 3);
    assert.equal(result.stdout, '');
    assert.match(
      result.stderr,
      new RegExp(
        `^stepwise: status fop-gate: cannot read the cluster at https://127\\.0\\.0\\.1:${port} \\(context test-cluster\\): .*ECONNREFUSED`,
      ),
    );
    assert.match(result.stderr, /^stepwise: fix: check that the cluster is up and that context test-cluster points at it/m);
  });

  test('a kubeconfig that does not exist', async () => {
    const result = await runWith(stacksProject(), { KUBECONFIG: path.join(tempDir(), 'absent') }, 'status', 'fop-gate');
    assertExit(result, 3);
    assert.match(result.stderr, /cannot read the kubeconfig .*absent: ENOENT/);
  });

  describe('an API server that answers with errors', () => {
    let server: http.Server;
    let status = 403;
    before(async () => {
      server = http.createServer((request, response) => {
        const body = { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: status, message: `${request.url}: no (${status})` };
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });
    after(() => server.close());
    const url = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    test('403 on a list: what was read, the answer, and which permissions status needs', async () => {
      status = 403;
      const result = await runWith(stacksProject(), { KUBECONFIG: kubeconfig(url()) }, 'status', 'fop-gate');
      assertExit(result, 3);
      assert.match(
        result.stderr,
        /reading Deployments in namespace dora-apps: HTTP 403: \/apis\/apps\/v1\/namespaces\/dora-apps\/deployments.*: no \(403\)/,
      );
      assert.match(result.stderr, /fix: status needs get and list on deployments, replicasets, pods, services and endpointslices/);
    });

    test('500: the server failed', async () => {
      status = 500;
      const result = await runWith(stacksProject(), { KUBECONFIG: kubeconfig(url()) }, 'status', 'fop-gate', '--json');
      assertExit(result, 3);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /HTTP 500/);
      assert.match(result.stderr, /fix: the API server failed the request/);
    });
  });
});

describe('stepwise status: what it loads', () => {
  test('loading the status command loads neither cdk8s nor the Kubernetes client; plan and check never reach the client', () => {
    const script = `
      require('./dist-js/lib/cli/commands/status');
      const afterStatus = Object.keys(require.cache);
      for (const name of ['plan', 'check']) require('./dist-js/lib/cli/commands/' + name);
      process.stdout.write(JSON.stringify({
        cdk8s: afterStatus.filter((f) => /node_modules[\\\\/](cdk8s|cdk8s-plus-27)[\\\\/]/.test(f)).length,
        client: Object.keys(require.cache).filter((f) => /@kubernetes[\\\\/]client-node/.test(f)).length,
        kubeContextWithStatus: afterStatus.some((f) => f.endsWith('kube-context.js')),
      }));`;
    const loaded = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' }));
    // The client is ESM, loaded by import() in kube-context.js only when status runs; requiring
    // the command loads that file (the check can fail) but not the client.
    assert.deepEqual(loaded, { cdk8s: 0, client: 0, kubeContextWithStatus: true });
    const planOnly = `require('./dist-js/lib/cli/commands/plan'); require('./dist-js/lib/cli/commands/check');
      process.stdout.write(String(Object.keys(require.cache).some((f) => f.endsWith('kube-context.js'))));`;
    assert.equal(execFileSync(process.execPath, ['-e', planOnly], { cwd: ROOT, encoding: 'utf8' }), 'false');
  });
});

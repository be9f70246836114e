import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertExit, assertNoStackTrace, editStackFile, runCli } from './support/cli';
import { copyOfStacks } from './support/example-stacks';

/** A copy of stacks/ with `web-nginx-naive`: the cutover switches while v2 still has 1 pod (7 → 1 endpoints). */
function stacksWithNaiveCutover(): string {
  const dir = copyOfStacks();
  editStackFile(
    dir,
    'web-nginx',
    (config) => {
      const plan = config['stepwise:plan'];
      plan.stages = plan.stages.filter((s: any) => s.name !== 'v2-scaled');
      plan.stages.find((s: any) => s.name === 'cutover').workloads['nginx-v2'].replicas = 1;
    },
    'web-nginx-naive',
  );
  return dir;
}

describe('stepwise check on the example stacks', () => {
  const stacks = copyOfStacks();

  test('fop-gate passes with no findings', async () => {
    const result = await runCli(['check', 'fop-gate', '--stacks', stacks]);
    assertExit(result, 0);
    assert.match(result.stdout, /\ncheck fop-gate: 0 errors, 0 warnings \(no problems found\)\n$/);
    assert.doesNotMatch(result.stdout, /^(errors|warnings)/m);
  });

  test('check lists the release policy of each stage that sets one, before its findings', async () => {
    const result = await runCli(['check', 'web-nginx', '--stacks', stacks]);
    assertExit(result, 0);
    assert.ok(
      result.stdout.startsWith(
        [
          'release policy (stepwise release):',
          '  v2-canary  soak 5m, no approval, on failure rollback',
          '  v2-scaled  soak 5m, no approval, on failure rollback',
          '  cutover    soak 5m, no approval, on failure rollback',
          '',
          'warnings (6):',
        ].join('\n'),
      ),
      result.stdout,
    );
  });

  test('web-nginx passes with a warning per security override, each with its reason', async () => {
    const result = await runCli(['check', 'web-nginx', '--stacks', stacks]);
    assertExit(result, 0);
    assert.match(result.stdout, /^warnings \(6\):$/m);
    assert.doesNotMatch(result.stdout, /^errors/m);
    assert.match(
      result.stdout,
      /^ {2}plan: Deployment\/nginx-dm \[pod-security-override\]\n {4}runs as root; .*reason: the official nginx image starts as root/m,
    );
    assert.match(result.stdout, /check web-nginx: 0 errors, 6 warnings \(no errors; review the warnings\)\n$/);
  });

  test('trade-aone passes with a hostPath warning per batch', async () => {
    const result = await runCli(['check', 'trade-aone', '--stacks', stacks]);
    assertExit(result, 0);
    assert.equal(result.stdout.match(/\[pod-security-override\]\n {4}mounts hostPath volumes/g)?.length, 5);
  });

  test('--json prints the counts and the findings', async () => {
    const result = await runCli(['check', 'trade-aone', '--json', '--stacks', stacks]);
    assertExit(result, 0);
    const data = JSON.parse(result.stdout);
    assert.equal(data.stack, 'trade-aone');
    assert.equal(data.errors, 0);
    assert.equal(data.warnings, 5);
    assert.deepEqual(Object.keys(data.findings[0]).sort(), ['fix', 'object', 'problem', 'rule', 'severity']);
  });
});

describe('stepwise check on unsafe plans', () => {
  const stacks = stacksWithNaiveCutover();

  test('the naive cutover is an error naming the transition, the Service and "scale v2 first"; exit 1', async () => {
    const result = await runCli(['check', 'web-nginx-naive', '--stacks', stacks]);
    assertExit(result, 1);
    assert.match(
      result.stdout,
      /^errors \(1\):\n {2}stage v2-canary → cutover: Service\/nginx-svc \[cutover-below-floor\]\n {4}switching the selector from name=nginx to name=nginx,version=v2 drops it from 7 to 1 ready endpoint .*\n {4}fix: scale v2 first: scale nginx-v2 to at least 6 replicas/m,
    );
    assert.match(result.stdout, /check web-nginx-naive: 1 error, 6 warnings \(fix the errors before promoting\)\n$/);
    assert.equal(result.stderr, '');
  });

  test('--json gives the same finding as data', async () => {
    const result = await runCli(['check', 'web-nginx-naive', '--json', '--stacks', stacks]);
    assertExit(result, 1);
    const data = JSON.parse(result.stdout);
    assert.equal(data.errors, 1);
    assert.deepEqual(
      [data.findings[0].rule, data.findings[0].stage, data.findings[0].object],
      ['cutover-below-floor', 'v2-canary → cutover', 'Service/nginx-svc'],
    );
  });

  test('--capacity-floor above the first stage endpoints makes fop-gate fail', async () => {
    const result = await runCli(['check', 'fop-gate', '--capacity-floor', '11', '--stacks', stacks]);
    assertExit(result, 1);
    assert.match(
      result.stdout,
      /stage baseline: Service\/fop-gate \[stage-below-floor\]\n {4}has 10 ready endpoints in the first stage, below the capacity floor of 11/,
    );
  });

  test('--capacity-floor as a percent of the first stage endpoints', async () => {
    const result = await runCli(['check', 'web-nginx-naive', '--capacity-floor', '10%', '--stacks', stacks]);
    assertExit(result, 0); // 10% of 6 endpoints, rounded up: 1, and the naive cutover keeps 1
  });

  test("the plan's checks.capacityFloor is used", async () => {
    const dir = copyOfStacks();
    editStackFile(dir, 'fop-gate', (config) => (config['stepwise:plan'].checks = { capacityFloor: '100%' }));
    assertExit(await runCli(['check', 'fop-gate', '--stacks', dir]), 0);
    editStackFile(dir, 'fop-gate', (config) => (config['stepwise:plan'].checks = { capacityFloor: 12 }));
    assertExit(await runCli(['check', 'fop-gate', '--stacks', dir]), 1);
  });

  test('a Service left without endpoints is an error', async () => {
    const dir = copyOfStacks();
    editStackFile(dir, 'web-nginx', (config) => (config['stepwise:plan'].stages[3].services['nginx-svc'].selector.version = 'v3'));
    const result = await runCli(['check', 'web-nginx', '--stacks', dir]);
    assertExit(result, 1);
    assert.match(result.stdout, /stage cutover: Service\/nginx-svc \[service-without-endpoints\]/);
  });
});

describe('stepwise check with bad input', () => {
  const stacks = copyOfStacks();

  for (const value of ['abc', '101%', '-1', '1.5']) {
    test(`--capacity-floor ${value} exits 2`, async () => {
      const result = await runCli(['check', 'fop-gate', `--capacity-floor=${value}`, '--stacks', stacks]);
      assertExit(result, 2);
      assert.match(result.stderr, /--capacity-floor '.*' must be a whole number \(e\.g\. 6\) or a percent/);
      assertNoStackTrace(result.stderr);
    });
  }

  test('an unknown stack exits 2', async () => {
    const result = await runCli(['check', 'nope', '--stacks', stacks]);
    assertExit(result, 2);
    assert.match(result.stderr, /unknown stack 'nope'/);
    assertNoStackTrace(result.stderr);
  });

  test('a missing stack name exits 2', async () => {
    const result = await runCli(['check']);
    assertExit(result, 2);
    assert.match(result.stderr, /missing the stack name/);
  });

  test('an unknown flag exits 2 and suggests the closest one', async () => {
    const result = await runCli(['check', 'fop-gate', '--capacity-flor', '3', '--stacks', stacks]);
    assertExit(result, 2);
    assert.match(result.stderr, /did you mean --capacity-floor\?/);
    assertNoStackTrace(result.stderr);
  });

  test('an invalid stack file exits 1 naming the file, the key path and the fix', async () => {
    const dir = copyOfStacks();
    editStackFile(dir, 'fop-gate', (config) => (config['stepwise:plan'].stages[0].workloads['fop-gate'].replicas = 'nine'));
    const result = await runCli(['check', 'fop-gate', '--stacks', dir]);
    assertExit(result, 1);
    assert.match(result.stderr, /Pulumi\.fop-gate\.yaml: config\.stepwise:plan\.stages\[0\]\.workloads\.fop-gate\.replicas: .* \(fix: /);
    assertNoStackTrace(result.stderr);
  });

  test('--help prints the rules and exit codes', async () => {
    const result = await runCli(['check', '--help']);
    assertExit(result, 0);
    assert.match(result.stdout, /cutover-below-floor/);
    assert.match(result.stdout, /exit codes: 0 no errors/);
  });
});

describe('stack files the reviewer found check passing or other commands breaking on', () => {
  test('a workload named constructor, in every stage or left out of one, passes check and renders', async () => {
    const dir = copyOfStacks();
    editStackFile(
      dir,
      'web-nginx',
      (config) => {
        const plan = JSON.parse(JSON.stringify(config['stepwise:plan']).replaceAll('nginx-dm', 'constructor'));
        config['stepwise:plan'] = plan;
      },
      'web-constructor',
    );
    const check = await runCli(['check', 'web-constructor', '--stacks', dir]);
    assertExit(check, 0);
    assert.match(check.stdout, /check web-constructor: 0 errors/);
    for (const stage of ['v1-only', 'v1-removed']) {
      const render = await runCli(['render', 'web-constructor', '--stage', stage, '--stacks', dir]);
      assertExit(render, 0);
      assert.equal(/name: constructor$/m.test(render.stdout), stage === 'v1-only', `stage ${stage}:\n${render.stdout}`);
      assertNoStackTrace(render.stderr);
    }
  });

  test('an invalid analysis section fails check with exit 1, naming the file, key path and fix', async () => {
    const dir = copyOfStacks();
    editStackFile(
      dir,
      'fop-gate',
      (config) => (config['stepwise:plan'].analysis = { prometheus: { url: 'ftp://x' }, interval: 'forever' }),
    );
    const result = await runCli(['check', 'fop-gate', '--stacks', dir]);
    assertExit(result, 1);
    assert.match(
      result.stderr,
      /Pulumi\.fop-gate\.yaml: config\.stepwise:plan\.analysis\.prometheus\.url: must be an http:\/\/ or https:\/\/ URL, got "ftp:\/\/x" \(fix: /,
    );
    assert.match(result.stderr, /Pulumi\.fop-gate\.yaml: config\.stepwise:plan\.analysis\.interval: .* \(fix: /);
    assertNoStackTrace(result.stderr);
  });

  test('gate still exits 2 for an invalid analysis section, with the same message', async () => {
    const dir = copyOfStacks();
    editStackFile(dir, 'fop-gate', (config) => (config['stepwise:plan'].analysis = [1]));
    const result = await runCli(['gate', 'fop-gate', '--stacks', dir]);
    assertExit(result, 2);
    assert.match(
      result.stderr,
      /^stepwise: .*Pulumi\.fop-gate\.yaml: config\.stepwise:plan\.analysis: must be a mapping, got a list \(fix: /m,
    );
    assertNoStackTrace(result.stderr);
  });

  test('a traffic key no router knows is reported once', async () => {
    const dir = copyOfStacks();
    editStackFile(dir, 'ledger-linkerd', (config) => (config['stepwise:plan'].traffic.extra = 1));
    const result = await runCli(['check', 'ledger-linkerd', '--stacks', dir]);
    assertExit(result, 1);
    const lines = result.stderr.split('\n').filter((line) => line.includes('traffic.extra'));
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0], /config\.stepwise:plan\.traffic\.extra: is not a known key \(fix: use one of: router, /);
  });

  test('a NUL written in a value is shown escaped in the error, never echoed raw to the terminal', async () => {
    const dir = copyOfStacks();
    editStackFile(dir, 'fop-gate', (config) => (config['stepwise:plan'].namespace = 'dora\0apps'));
    const result = await runCli(['check', 'fop-gate', '--stacks', dir]);
    assertExit(result, 1);
    assert.match(result.stderr, /config\.stepwise:plan\.namespace: contains the control character U\+0000/);
    assert.ok(result.stderr.includes("'dora\\u0000apps'"), result.stderr);
    assert.ok(!result.stderr.includes('\0'), 'stderr holds a raw NUL');
  });

  test('replicas above 2147483647 fail check at the plan key', async () => {
    const dir = copyOfStacks();
    editStackFile(dir, 'fop-gate', (config) => (config['stepwise:plan'].stages[1].workloads['fop-gate-canary'].replicas = 2147483648));
    const result = await runCli(['check', 'fop-gate', '--stacks', dir]);
    assertExit(result, 1);
    assert.match(
      result.stderr,
      /config\.stepwise:plan\.stages\[1\]\.workloads\.fop-gate-canary\.replicas: must be a whole number from 0 to 2147483647, got 2147483648/,
    );
  });
});

describe('stepwise check across the stack files of one directory: node ports are cluster-wide', () => {
  /** A copy of stacks/ with `web-nginx-copy`, web-nginx's plan in another namespace, its cluster set by `cluster`. */
  function stacksWithTwoNginx(cluster: (copy: Record<string, any>) => void): string {
    const dir = copyOfStacks();
    editStackFile(
      dir,
      'web-nginx',
      (config) => {
        config['stepwise:plan'].namespace = 'web-copy';
        cluster(config);
      },
      'web-nginx-copy',
    );
    return dir;
  }

  test('a nodePort another stack of the directory uses is a warning that names that stack file and the fix', async () => {
    const dir = stacksWithTwoNginx(() => undefined);
    const result = await runCli(['check', 'web-nginx', '--stacks', dir]);
    assertExit(result, 0);
    assert.match(
      result.stdout,
      /Service\/nginx-svc \[node-port-in-another-stack\]\n {4}ports\[0\]\.nodePort 31180 is also the nodePort of Service nginx-svc \(namespace web-copy\) in stack web-nginx-copy \(.*Pulumi\.web-nginx-copy\.yaml\), which deploys to the same cluster;.*\n {4}fix: give one of them another nodePort, or, .* \(kubernetes:context\)/,
    );
    const other = await runCli(['check', 'web-nginx-copy', '--stacks', dir]);
    assert.match(other.stdout, /nodePort 31180 is also the nodePort of Service nginx-svc \(namespace web\) in stack web-nginx /);
  });

  test('stacks whose files name the same kubernetes:context share a cluster', async () => {
    const dir = stacksWithTwoNginx((copy) => (copy['kubernetes:context'] = 'prod'));
    editStackFile(dir, 'web-nginx', (config) => (config['kubernetes:context'] = 'prod'));
    const result = await runCli(['check', 'web-nginx', '--stacks', dir]);
    assert.match(result.stdout, /\[node-port-in-another-stack\]/);
  });

  test('stacks whose files name different kubernetes:context values deploy to different clusters: no warning', async () => {
    const dir = stacksWithTwoNginx((copy) => (copy['kubernetes:context'] = 'staging'));
    const result = await runCli(['check', 'web-nginx', '--stacks', dir]);
    assertExit(result, 0);
    assert.doesNotMatch(result.stdout, /node-port-in-another-stack/);
  });

  test('the example stacks use distinct node ports', async () => {
    for (const name of ['web-nginx', 'trade-aone']) {
      const result = await runCli(['check', name, '--stacks', copyOfStacks()]);
      assert.doesNotMatch(result.stdout, /node-port-in-another-stack/, name);
    }
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parsePlan, stepwiseErrorsOf } from '../lib/model';
import { stackFromConfig } from '../lib/stacks';
import { exampleConfig, examplePlanData } from './support/example-stacks';
import { planProblems } from './support/plan-problems';

const problems = planProblems;

function assertReports(data: unknown, pattern: RegExp): void {
  const found = problems(data);
  assert.ok(
    found.some((m) => pattern.test(m)),
    `no problem matched ${pattern}:\n${found.join('\n')}`,
  );
}

describe('plan validation', () => {
  test('every example plan is valid', () => {
    for (const name of ['fop-gate', 'web-nginx', 'trade-aone']) assert.doesNotThrow(() => parsePlan(examplePlanData(name)), name);
  });

  test('negative replicas are reported with the stage, workload and a fix', () => {
    const plan = examplePlanData('fop-gate');
    plan.stages[2].workloads['fop-gate-canary'].replicas = -1;
    assertReports(plan, /^stages\[2\]\.workloads\.fop-gate-canary\.replicas: must be a whole number >= 0, got -1 \(fix: /);
  });

  test('a missing image is reported at its key path', () => {
    const plan = examplePlanData('fop-gate');
    delete plan.stages[1].workloads['fop-gate-canary'].image;
    assertReports(plan, /^stages\[1\]\.workloads\.fop-gate-canary\.image: must be a non-empty string, got nothing/);
  });

  test('a misspelt key is reported with the key it probably meant', () => {
    const plan = examplePlanData('fop-gate');
    plan.stages[0].workloads['fop-gate'].replica = 9;
    assertReports(plan, /stages\[0\]\.workloads\.fop-gate\.replica: is not a known key \(fix: did you mean 'replicas'\?\)/);
  });

  test('a stage naming a workload the plan does not declare is reported', () => {
    const plan = examplePlanData('web-nginx');
    plan.stages[1].workloads['nginx-v3'] = { replicas: 1, image: 'nginx:1.20' };
    assertReports(plan, /stages\[1\]\.workloads\.nginx-v3: is not a known key/);
  });

  test('maxSurge and maxUnavailable cannot be both zero', () => {
    const plan = examplePlanData('fop-gate');
    plan.workloads['fop-gate'].strategy = { type: 'RollingUpdate', maxSurge: 0, maxUnavailable: '0%' };
    assertReports(plan, /workloads\.fop-gate\.strategy: 'maxSurge' and 'maxUnavailable' cannot be both zero/);
  });

  test('a maxUnavailable above 100% is rejected, naming the range', () => {
    const plan = examplePlanData('fop-gate');
    plan.workloads['fop-gate'].strategy = { maxUnavailable: '150%' };
    assertReports(
      plan,
      /workloads\.fop-gate\.strategy\.maxUnavailable: must be a whole number >= 0 or a percentage from "0%" to "100%", got "150%"/,
    );
  });

  test('a maxSurge above 100% is accepted, as Kubernetes accepts it', () => {
    const plan = examplePlanData('fop-gate');
    plan.workloads['fop-gate'].strategy = { maxSurge: '150%' };
    assert.deepEqual(parsePlan(plan).workloads[0].strategy, { type: 'RollingUpdate', maxSurge: '150%', maxUnavailable: 0 });
  });

  test('Deployments whose selectors overlap are accepted, as in the blog nginx cutover (check warns instead)', () => {
    const plan = examplePlanData('web-nginx');
    // nginx-dm labelled only `name: nginx` selects nginx-v2's pods too: the controllers keep
    // the pods apart by controller references (see test/adopt-blog-nginx.test.ts).
    plan.workloads['nginx-dm'].labels = { name: 'nginx' };
    assert.deepEqual(parsePlan(plan).workloads[0].selector, { matchLabels: { name: 'nginx' }, matchExpressions: [] });
  });

  test('workloads with identical pod labels are rejected, at the labels the selector is made of', () => {
    const plan = examplePlanData('web-nginx');
    plan.workloads['nginx-v2'].labels = { name: 'nginx', version: 'v1' };
    assertReports(
      plan,
      /^workloads\.nginx-v2\.labels: its pods carry the same labels as the pods of workload 'nginx-dm' \(name=nginx,version=v1\).*\(fix: give 'nginx-v2' a label 'nginx-dm' does not have/,
    );
  });

  test('identical pod labels with a selector the file writes are reported at that selector', () => {
    const plan = examplePlanData('web-nginx');
    plan.workloads['nginx-v2'].labels = { name: 'nginx', version: 'v1' };
    plan.workloads['nginx-v2'].selector = { name: 'nginx' };
    assertReports(plan, /^workloads\.nginx-v2\.selector: its pods carry the same labels .*and include it in its selector\)$/);
  });

  test('an emptyDir sizeLimit that is no memory quantity (500MB) is reported at its key path, with examples', () => {
    const plan = examplePlanData('fop-gate');
    plan.defaults.volumes = [{ name: 'tmp', mountPath: '/tmp', emptyDir: { sizeLimit: '500MB' } }];
    assertReports(
      plan,
      /^defaults\.volumes\[0\]\.emptyDir\.sizeLimit: must be a memory quantity such as 500Mi, 2Gi, 1\.5Gi or 512M, got "500MB" \(fix: e\.g\. 500Mi or 2Gi/,
    );
  });

  test('an emptyDir sizeLimit of 1GB or abc is rejected, not rendered as 0Mi or NaN', () => {
    for (const sizeLimit of ['1GB', 'abc', '1.5G1', 512]) {
      const plan = examplePlanData('fop-gate');
      plan.defaults.volumes = [{ name: 'tmp', mountPath: '/tmp', emptyDir: { sizeLimit } }];
      assertReports(plan, /volumes\[0\]\.emptyDir\.sizeLimit: must be/);
    }
  });

  test('an emptyDir sizeLimit takes any Kubernetes memory quantity (512M, 1.5Gi, 1e9, 64Ki)', () => {
    for (const sizeLimit of ['512M', '1.5Gi', '1e9', '64Ki', '2Gi']) {
      const plan = examplePlanData('fop-gate');
      plan.defaults.volumes = [{ name: 'tmp', mountPath: '/tmp', emptyDir: { sizeLimit } }];
      assert.deepEqual(parsePlan(plan).workloads[0].volumes[0].source, { emptyDir: { sizeLimit } }, sizeLimit);
    }
  });

  test('a hostPath type that is not a Kubernetes HostPathType is reported at its key path with the closest one', () => {
    const plan = examplePlanData('trade-aone');
    plan.defaults.volumes[0].hostPath.type = 'DirectoryOrCreat';
    assertReports(
      plan,
      /^defaults\.volumes\[0\]\.hostPath\.type: must be a Kubernetes HostPathType \(DirectoryOrCreate, .*BlockDevice, or "" for no check\), got "DirectoryOrCreat" \(fix: did you mean 'DirectoryOrCreate'\?\)/,
    );
  });

  test('every Kubernetes HostPathType, and "", is accepted', () => {
    for (const type of ['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice']) {
      const plan = examplePlanData('trade-aone');
      plan.defaults.volumes[0].hostPath.type = type;
      assert.doesNotThrow(() => parsePlan(plan), type);
    }
  });

  test('a selector that does not select its own pods is rejected', () => {
    const plan = examplePlanData('fop-gate');
    plan.workloads['fop-gate'].selector = { app: 'fop-gate', track: 'main' };
    assertReports(plan, /workloads\.fop-gate\.selector: does not select the workload's own pods/);
  });

  test('a hostPath volume needs an explicit security override', () => {
    const plan = examplePlanData('trade-aone');
    delete plan.defaults.securityOverrides;
    assertReports(
      plan,
      /workloads\.trade-aone-1\.volumes\[0\]\.hostPath: is forbidden by the restricted Pod Security Standard \(fix: add securityOverrides/,
    );
  });

  test('a security override must say why', () => {
    const plan = examplePlanData('web-nginx');
    delete plan.defaults.securityOverrides.reason;
    assertReports(plan, /defaults\.securityOverrides\.reason: must be a non-empty string/);
  });

  test('label values that Kubernetes rejects are caught before rendering', () => {
    const plan = examplePlanData('fop-gate');
    plan.workloads['fop-gate-canary'].labels = { app: 'fop-gate', track: 'canary release' };
    assertReports(plan, /workloads\.fop-gate-canary\.labels\.track: label value 'canary release'/);
  });

  test('a number where a label value belongs must be quoted', () => {
    const plan = examplePlanData('trade-aone');
    plan.workloads['trade-aone-2'].labels = { app: 'trade-aone', batch: 2 };
    assertReports(plan, /workloads\.trade-aone-2\.labels\.batch: must be a string, got 2 \(fix: quote label values/);
  });

  test('memory must be a binary quantity', () => {
    const plan = examplePlanData('fop-gate');
    plan.defaults.resources = { requests: { cpu: '500m', memory: '1GB' } };
    assertReports(plan, /^defaults\.resources\.requests\.memory: must be a memory quantity in Mi, Gi or Ti/);
  });

  test('a wrong value in defaults is reported once, at defaults; one a workload writes itself, at the workload', () => {
    const plan = examplePlanData('fop-gate');
    plan.defaults.resources = { requests: { cpu: '500m', memory: '1GB' } };
    plan.workloads['fop-gate-canary'].terminationGracePeriodSeconds = -1;
    const found = problems(plan);
    assert.deepEqual(
      found.filter((m) => m.includes('memory')).map((m) => m.split(':')[0]),
      ['defaults.resources.requests.memory'],
    );
    assert.ok(
      found.some((m) => m.startsWith('workloads.fop-gate-canary.terminationGracePeriodSeconds: must be a whole number >= 0')),
      found.join('\n'),
    );
  });

  test('two stages with the same name are rejected', () => {
    const plan = examplePlanData('fop-gate');
    plan.stages[2].name = 'canary';
    assertReports(plan, /stages\[2\]\.name: 'canary' is used by an earlier stage/);
  });

  test('an empty Service selector is rejected', () => {
    const plan = examplePlanData('web-nginx');
    plan.stages[3].services['nginx-svc'].selector = {};
    assertReports(plan, /stages\[3\]\.services\.nginx-svc\.selector: must not be empty/);
  });

  test('a nodePort needs a NodePort Service and must be in the node port range', () => {
    const plan = examplePlanData('fop-gate');
    plan.services['fop-gate'].ports[0].nodePort = 31000;
    assertReports(plan, /services\.fop-gate\.ports\[0\]\.nodePort: needs a NodePort or LoadBalancer Service/);
    const web = examplePlanData('web-nginx');
    web.services['nginx-svc'].ports[0].nodePort = 80;
    assertReports(web, /services\.nginx-svc\.ports\[0\]\.nodePort: must be a whole number from 30000 to 32767/);
  });

  test('all problems are reported together', () => {
    const plan = examplePlanData('fop-gate');
    plan.stages[0].workloads['fop-gate'].replicas = 'nine';
    plan.stages[1].workloads['fop-gate-canary'].image = '';
    plan.namespace = 'Dora Apps';
    const found = problems(plan);
    assert.equal(found.length, 3, found.join('\n'));
  });

  test('a canary pair whose stage changes the Service selector must be a SelectorCutover', () => {
    const plan = examplePlanData('fop-gate');
    plan.stages[3].services = { 'fop-gate': { selector: { app: 'fop-gate', track: 'canary' } } };
    assertReports(plan, /stages\[3\]\.services\.fop-gate\.selector: changes the selector .* \(fix: .*kind: SelectorCutover\)/);
  });

  test('a SelectorCutover that never changes a selector is reported', () => {
    const plan = examplePlanData('web-nginx');
    for (const stage of plan.stages) delete stage.services;
    assertReports(plan, /^stages: no stage changes a Service selector/);
  });

  test('workload defaults are merged under each workload, labels key by key', () => {
    const plan = parsePlan(examplePlanData('fop-gate'));
    const canary = plan.workloads.find((w) => w.name === 'fop-gate-canary');
    assert.ok(canary);
    assert.equal(canary.minReadySeconds, 30);
    assert.equal(canary.terminationGracePeriodSeconds, 90);
    assert.deepEqual(canary.strategy, { type: 'RollingUpdate', maxSurge: 1, maxUnavailable: 0 });
    assert.deepEqual(canary.labels, { app: 'fop-gate', team: 'dora', track: 'canary', type: 'basic' });
    // The default selector is the workload's own labels, not the plan's common labels.
    assert.deepEqual(canary.selector.matchLabels, { app: 'fop-gate', track: 'canary' });
  });
});

describe('what the API server rejects is rejected when the plan is read', () => {
  test('two NodePort Services on one nodePort: the second names the first', () => {
    const plan = examplePlanData('web-nginx');
    plan.services['nginx-admin'] = { type: 'NodePort', selector: { name: 'nginx' }, ports: [{ port: 8080, nodePort: 31180 }] };
    assertReports(
      plan,
      /^services\.nginx-admin\.ports\[0\]\.nodePort: 31180 is also the node port of Service 'nginx-svc' \(services\.nginx-svc\.ports\[0\]\.nodePort\).*\(fix: give each Service its own nodePort/,
    );
  });

  test('two Services on one nodePort are rejected even with different protocols (node ports are allocated per number)', () => {
    const plan = examplePlanData('web-nginx');
    plan.services['nginx-dns'] = { type: 'NodePort', selector: { name: 'nginx' }, ports: [{ port: 53, protocol: 'UDP', nodePort: 31180 }] };
    assertReports(plan, /^services\.nginx-dns\.ports\[0\]\.nodePort: 31180 is also the node port of Service 'nginx-svc'/);
  });

  test('one Service using a nodePort twice for one protocol is rejected', () => {
    const plan = examplePlanData('web-nginx');
    plan.services['nginx-svc'].ports = [
      { name: 'http', port: 80, nodePort: 31180 },
      { name: 'alt', port: 8080, nodePort: 31180 },
    ];
    assertReports(plan, /^services\.nginx-svc\.ports\[1\]\.nodePort: 31180\/TCP is also the node port of ports\[0\]/);
  });

  test('one Service may use a nodePort once for TCP and once for UDP, as Kubernetes allows', () => {
    const plan = examplePlanData('web-nginx');
    plan.services['nginx-svc'].ports = [
      { name: 'http', port: 80, nodePort: 31180 },
      { name: 'quic', port: 80, protocol: 'UDP', nodePort: 31180 },
    ];
    assert.doesNotThrow(() => parsePlan(plan));
  });

  test('two ports of a Service on one port and protocol, or with one name, are rejected', () => {
    const plan = examplePlanData('fop-gate');
    plan.services['fop-gate'].ports = [
      { name: 'http', port: 80, targetPort: 8080 },
      { name: 'http', port: 80, targetPort: 8081 },
    ];
    const found = problems(plan);
    assert.ok(
      found.some((m) => /^services\.fop-gate\.ports\[1\]\.name: 'http' is also the name of ports\[0\]/.test(m)),
      found.join('\n'),
    );
    assert.ok(
      found.some((m) => /^services\.fop-gate\.ports\[1\]\.port: 80\/TCP is also ports\[0\]/.test(m)),
      found.join('\n'),
    );
  });

  test('a Service port name that is not a DNS label, and a container port name with --, are rejected', () => {
    const plan = examplePlanData('fop-gate');
    plan.services['fop-gate'].ports[0].name = 'HTTP';
    plan.defaults.ports[0].name = 'web--http';
    const found = problems(plan);
    assert.ok(
      found.some((m) => /^services\.fop-gate\.ports\[0\]\.name: 'HTTP' must be at most 63 lowercase letters/.test(m)),
      found.join('\n'),
    );
    assert.ok(
      found.some((m) => /^workloads\.fop-gate\.ports\[0\]\.name: 'web--http' must be .*single '-'/.test(m)),
      found.join('\n'),
    );
  });

  test('two container ports with one name, or one number and protocol, are rejected', () => {
    const plan = examplePlanData('fop-gate');
    plan.workloads['fop-gate-canary'].ports = [{ name: 'http', containerPort: 8080 }, { name: 'http', containerPort: 8081 }, 8080];
    const found = problems(plan);
    assert.ok(
      found.some((m) => /^workloads\.fop-gate-canary\.ports\[1\]\.name: 'http' is also the name of ports\[0\]/.test(m)),
      found.join('\n'),
    );
    assert.ok(
      found.some((m) => /^workloads\.fop-gate-canary\.ports\[2\]: repeats port 8080\/TCP of ports\[0\]/.test(m)),
      found.join('\n'),
    );
  });

  test('a container port number may be listed once per protocol', () => {
    const plan = examplePlanData('fop-gate');
    plan.defaults.ports = [
      { name: 'dns', containerPort: 5353 },
      { name: 'dns-udp', containerPort: 5353, protocol: 'UDP' },
    ];
    assert.doesNotThrow(() => parsePlan(plan));
  });

  test('a request above its limit is rejected, comparing amounts, not text', () => {
    const plan = examplePlanData('fop-gate');
    plan.workloads['fop-gate'].resources = { requests: { cpu: '1.5', memory: '2Gi' }, limits: { cpu: '1200m', memory: '2048Mi' } };
    const found = problems(plan);
    assert.ok(
      found.some((m) =>
        /^workloads\.fop-gate\.resources\.requests\.cpu: 1\.5 is more than the limit of 1200m .*\(fix: request at most 1200m/.test(m),
      ),
      found.join('\n'),
    );
    assert.ok(!found.some((m) => /requests\.memory/.test(m)), '2Gi is exactly 2048Mi');
  });

  test('an env name containing = is rejected; other printable ASCII is allowed, as since Kubernetes 1.30', () => {
    const plan = examplePlanData('fop-gate');
    plan.defaults.env = { 'JAVA_OPTS=-Xmx1g': '', 'my.setting-1': 'x' };
    const found = problems(plan);
    assert.ok(
      found.some((m) => /^workloads\.fop-gate\.env\.JAVA_OPTS=-Xmx1g: 'JAVA_OPTS=-Xmx1g' contains '='/.test(m)),
      found.join('\n'),
    );
    assert.ok(!found.some((m) => /my\.setting-1/.test(m)), found.join('\n'));
  });

  test('two volumes mounted at one path are rejected', () => {
    const plan = examplePlanData('fop-gate');
    plan.defaults.volumes = [
      { name: 'tmp', mountPath: '/tmp', emptyDir: {} },
      { name: 'scratch', mountPath: '/tmp', emptyDir: {} },
    ];
    assertReports(plan, /^workloads\.fop-gate\.volumes\[1\]\.mountPath: '\/tmp' is also where volumes\[0\] is mounted/);
  });

  test('an annotation key that is not a qualified name is rejected; case does not matter, as for the API server', () => {
    const plan = examplePlanData('fop-gate');
    plan.workloads['fop-gate'].podAnnotations = { 'not a key': 'x', 'Example.com/Owner': 'dora', 'prometheus.io/scrape': 'true' };
    const found = problems(plan);
    assert.deepEqual(
      found.filter((m) => /podAnnotations/.test(m)).map((m) => m.split(':')[0]),
      ['workloads.fop-gate.podAnnotations.not a key'],
    );
  });

  test('annotations over 256 KiB are rejected', () => {
    const plan = examplePlanData('fop-gate');
    plan.workloads['fop-gate'].podAnnotations = { 'example.com/blob': 'x'.repeat(256 * 1024) };
    assertReports(plan, /^workloads\.fop-gate\.podAnnotations: hold 262160 bytes of keys and values, more than the 262144/);
  });
});

describe('stack config', () => {
  test('errors name the stack file and the full key path', () => {
    const config = exampleConfig('fop-gate');
    (config['stepwise:plan'] as any).stages[2].workloads['fop-gate-canary'].replicas = -1;
    assert.throws(
      () => stackFromConfig('fop-gate', 'stacks/Pulumi.fop-gate.yaml', config),
      (error: unknown) =>
        stepwiseErrorsOf(error).some((e) =>
          e.message.startsWith(
            'stacks/Pulumi.fop-gate.yaml: config.stepwise:plan.stages[2].workloads.fop-gate-canary.replicas: must be a whole number >= 0, got -1 (fix:',
          ),
        ),
    );
  });

  test('an unknown current stage lists the stages there are', () => {
    const config = exampleConfig('fop-gate');
    config['stepwise:stage'] = 'canery';
    assert.throws(
      () => stackFromConfig('fop-gate', 'f.yaml', config),
      /f\.yaml: config\.stepwise:stage: unknown stage 'canery' \(fix: use one of: baseline, canary, canary-widened, stable\)/,
    );
  });

  test('a misspelt stepwise config key is reported', () => {
    const config = exampleConfig('fop-gate');
    config['stepwise:stages'] = 'canary';
    assert.throws(
      () => stackFromConfig('fop-gate', 'f.yaml', config),
      /config\.stepwise:stages: is not a stepwise config key \(fix: did you mean 'stepwise:stage'\?\)/,
    );
  });

  test('the stage the cluster comes from defaults to the stage before', () => {
    const config = exampleConfig('fop-gate');
    config['stepwise:stage'] = 'canary-widened';
    const stack = stackFromConfig('fop-gate', 'f.yaml', config);
    assert.equal(stack.fromStage, 'canary');
    config['stepwise:fromStage'] = 'stable';
    assert.equal(stackFromConfig('fop-gate', 'f.yaml', config).fromStage, 'stable');
  });
});

describe('counts Kubernetes stores as 32-bit integers', () => {
  test('replicas above 2147483647 are reported at the plan key with the range', () => {
    const plan = examplePlanData('fop-gate');
    plan.stages[1].workloads['fop-gate-canary'].replicas = 2147483648;
    assertReports(
      plan,
      /^stages\[1\]\.workloads\.fop-gate-canary\.replicas: must be a whole number from 0 to 2147483647, got 2147483648 \(fix: use a whole number from 0 to 2147483647\)$/,
    );
  });

  test('replicas of 2147483647 are accepted', () => {
    const plan = examplePlanData('fop-gate');
    plan.stages[1].workloads['fop-gate-canary'].replicas = 2147483647;
    assert.equal(parsePlan(plan).stages[1].workloads['fop-gate-canary'].replicas, 2147483647);
  });

  test('replicas of 1e20 are reported with the range, not only as a long number', () => {
    const plan = examplePlanData('fop-gate');
    plan.stages[1].workloads['fop-gate-canary'].replicas = 1e20;
    assertReports(plan, /\.replicas: must be a whole number from 0 to 2147483647, got 100000000000000000000 /);
  });

  test('minReadySeconds, progressDeadlineSeconds and revisionHistoryLimit are bounded like replicas', () => {
    for (const key of ['minReadySeconds', 'progressDeadlineSeconds', 'revisionHistoryLimit']) {
      const plan = examplePlanData('fop-gate');
      plan.workloads['fop-gate'][key] = 2 ** 31;
      assertReports(plan, new RegExp(`^workloads\\.fop-gate\\.${key}: must be a whole number from \\d to 2147483647, got 2147483648`));
    }
  });

  test('probe timings are bounded like replicas', () => {
    for (const key of ['initialDelaySeconds', 'periodSeconds', 'timeoutSeconds', 'failureThreshold', 'successThreshold']) {
      const plan = examplePlanData('fop-gate');
      plan.defaults.readinessProbe[key] = 2 ** 31;
      assertReports(plan, new RegExp(`^defaults\\.readinessProbe\\.${key}: must be a whole number from [01] to 2147483647`));
    }
  });

  test('terminationGracePeriodSeconds is an int64 in Kubernetes, so 2^31 seconds is accepted', () => {
    const plan = examplePlanData('fop-gate');
    plan.defaults.terminationGracePeriodSeconds = 2 ** 31;
    assert.equal(parsePlan(plan).workloads[0].terminationGracePeriodSeconds, 2 ** 31);
  });

  test('maxSurge and a disruption budget above 2147483647 are reported with the range', () => {
    const plan = examplePlanData('fop-gate');
    plan.defaults.strategy = { type: 'RollingUpdate', maxSurge: 2 ** 31, maxUnavailable: 0 };
    plan.defaults.disruptionBudget = { maxUnavailable: 2 ** 31 };
    assertReports(plan, /^defaults\.strategy\.maxSurge: must be a whole number from 0 to 2147483647 or a percentage like "25%"/);
    assertReports(plan, /^defaults\.disruptionBudget\.maxUnavailable: must be a whole number from 0 to 2147483647 or a percentage/);
  });

  test('negative replicas still read as a whole number >= 0', () => {
    const plan = examplePlanData('fop-gate');
    plan.stages[1].workloads['fop-gate-canary'].replicas = -1;
    assertReports(plan, /\.replicas: must be a whole number >= 0, got -1 \(fix: use a whole number >= 0\)$/);
  });
});

/**
 * Values `check` used to accept and the API server refuses (or `render` could not write), each
 * found by the validation differential test (e2e/validation-differential.e2e.test.ts): the plan
 * is now refused when it is read, at the key that holds the value, with a fix.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parsePlan, stepwiseErrorsOf } from '../lib/model';
import { stackFromConfig } from '../lib/stacks';
import { examplePlanData } from './support/example-stacks';
import { planProblems } from './support/plan-problems';

const problems = planProblems;

/** The problems of a stack holding `plan` (its traffic section included), with key paths relative to the plan; none when it is valid. */
function stackProblems(plan: unknown): string[] {
  try {
    stackFromConfig('t', 't.yaml', { 'stepwise:stage': (plan as any).stages[0].name, 'stepwise:plan': plan });
    return [];
  } catch (error) {
    const found = stepwiseErrorsOf(error);
    if (found.length === 0) throw error;
    return found.map((e) => e.message.replace(/^t\.yaml: config\.stepwise:plan\./, ''));
  }
}

function assertReports(data: unknown, pattern: RegExp): void {
  const found = problems(data);
  assert.ok(
    found.some((m) => pattern.test(m)),
    `no problem matched ${pattern}:\n${found.join('\n')}`,
  );
}

/** fop-gate with `edit` applied to its `fop-gate` workload. */
function fopGateWith(edit: (workload: Record<string, any>) => void): Record<string, any> {
  const plan = examplePlanData('fop-gate');
  edit(plan.workloads['fop-gate']);
  return plan;
}

describe('probes', () => {
  test('a liveness or startup probe with a successThreshold other than 1 is rejected; a readiness probe may ask for more', () => {
    const plan = fopGateWith((w) => {
      w.livenessProbe = { tcpSocket: { port: 8080 }, successThreshold: 2 };
      w.startupProbe = { tcpSocket: { port: 8080 }, successThreshold: 3 };
      w.readinessProbe = { tcpSocket: { port: 8080 }, successThreshold: 2 };
    });
    const found = problems(plan);
    assert.ok(
      found.some((m) => /^workloads\.fop-gate\.livenessProbe\.successThreshold: must be 1 for a liveness probe, got 2 \(fix: /.test(m)),
      found.join('\n'),
    );
    assert.ok(found.some((m) => /^workloads\.fop-gate\.startupProbe\.successThreshold: must be 1 for a startup probe, got 3/.test(m)));
    assert.ok(!found.some((m) => /^workloads\.fop-gate\.readinessProbe/.test(m)), found.join('\n'));
  });

  test('an exec probe or preStop hook with an empty command is rejected', () => {
    const plan = fopGateWith((w) => {
      w.readinessProbe = { exec: { command: [] } };
      w.preStop = { exec: { command: [] } };
    });
    const found = problems(plan);
    assert.ok(
      found.some((m) => /^workloads\.fop-gate\.readinessProbe\.exec\.command: must list the command to run/.test(m)),
      found.join('\n'),
    );
    assert.ok(
      found.some((m) => /^workloads\.fop-gate\.preStop\.exec\.command: must list the command to run/.test(m)),
      found.join('\n'),
    );
  });
});

describe('quantities stepwise can write exactly', () => {
  test('a memory amount above 2^63-1 bytes is rejected, in any unit; the largest is accepted', () => {
    assertReports(
      fopGateWith((w) => (w.resources = { requests: { memory: '1Gi' }, limits: { memory: '8796093022208Mi' } })),
      /^workloads\.fop-gate\.resources\.limits\.memory: must be at most 8796093022207Mi \(8388607Ti\), got "8796093022208Mi"/,
    );
    assertReports(
      fopGateWith((w) => (w.resources = { requests: { memory: '8388608Ti' } })),
      /^workloads\.fop-gate\.resources\.requests\.memory: must be at most 8796093022207Mi/,
    );
    const largest = fopGateWith((w) => (w.resources = { requests: { memory: '1Gi' }, limits: { memory: '8796093022207Mi' } }));
    assert.equal(parsePlan(largest).workloads[0].resources.limits.memory, '8796093022207Mi');
  });

  test('a memory amount of 22 digits, which JavaScript would write as 1e+21, is rejected', () => {
    assertReports(
      fopGateWith((w) => (w.resources = { requests: { memory: `1${'0'.repeat(21)}Mi` } })),
      /^workloads\.fop-gate\.resources\.requests\.memory: must be at most 8796093022207Mi/,
    );
  });

  test('an emptyDir sizeLimit is bounded like memory', () => {
    assertReports(
      fopGateWith((w) => (w.volumes = [{ name: 'tmp', mountPath: '/tmp', emptyDir: { sizeLimit: '9007199254740993Mi' } }])),
      /^workloads\.fop-gate\.volumes\[0\]\.emptyDir\.sizeLimit: must be at most 8796093022207Mi/,
    );
  });

  test('a CPU amount of more than 15 digits of millicores is rejected, in cores or in millicores; the largest is accepted', () => {
    assertReports(
      fopGateWith((w) => (w.resources = { requests: { cpu: '1000000000000' } })),
      /^workloads\.fop-gate\.resources\.requests\.cpu: must be at most 999999999999999m \(999999999999\.999 cores\), got "1000000000000"/,
    );
    assertReports(
      fopGateWith((w) => (w.resources = { requests: { cpu: '1m' }, limits: { cpu: `1${'0'.repeat(21)}m` } })),
      /^workloads\.fop-gate\.resources\.limits\.cpu: must be at most 999999999999999m/,
    );
    const largest = fopGateWith((w) => (w.resources = { requests: { cpu: '999999999999.999' }, limits: { cpu: '999999999999999m' } }));
    assert.equal(parsePlan(largest).workloads[0].resources.requests.cpu, '999999999999.999');
  });
});

describe('volumes', () => {
  test("a hostPath path with a '..' element is rejected; '..' inside a name is not an element", () => {
    const plan = fopGateWith((w) => {
      w.securityOverrides = { reason: 'reads node logs', hostPath: true };
      w.volumes = [
        { name: 'logs', mountPath: '/logs', hostPath: { path: '/var/log/../../etc' } },
        { name: 'dots', mountPath: '/dots', hostPath: { path: '/var/a..b' } },
      ];
    });
    const found = problems(plan);
    assert.ok(
      found.some((m) =>
        /^workloads\.fop-gate\.volumes\[0\]\.hostPath\.path: must not contain a '\.\.' element, got "\/var\/log\/\.\.\/\.\.\/etc"/.test(m),
      ),
      found.join('\n'),
    );
    assert.ok(!found.some((m) => /volumes\[1\]/.test(m)), found.join('\n'));
  });
});

describe('node ports', () => {
  test('a TCP and a UDP port of one Service share a node port only with one port number, as the node port allocator allows', () => {
    const plan = examplePlanData('web-nginx');
    plan.services['nginx-svc'].ports = [
      { name: 'http', port: 80, nodePort: 31180 },
      { name: 'quic', port: 443, protocol: 'UDP', nodePort: 31180 },
    ];
    assertReports(
      plan,
      /^services\.nginx-svc\.ports\[1\]\.nodePort: 31180 is also the node port of ports\[0\], which has another port number \(80, not 443\).*\(fix: /,
    );
  });

  test('a port asking again for a node port a port of its number took under another protocol is rejected, as the allocator does', () => {
    // 8080/UDP gets 30000; 8080/SCTP asks for 31000 of its own; 8080/TCP asks for 31000 too, which is taken.
    const plan = examplePlanData('web-nginx');
    plan.services['nginx-svc'].ports = [
      { name: 'dns', port: 8080, protocol: 'UDP', nodePort: 30000 },
      { name: 'sctp', port: 8080, protocol: 'SCTP', nodePort: 31000 },
      { name: 'http', port: 8080, nodePort: 31000 },
    ];
    const found = problems(plan).filter((m) => m.startsWith('services.nginx-svc.'));
    assert.equal(found.length, 1, found.join('\n'));
    assert.match(
      found[0],
      /^services\.nginx-svc\.ports\[2\]\.nodePort: 31000 is also the node port of ports\[1\]; port 8080 already has node port 30000 \(ports\[0\]\), and Kubernetes allocates a node port once .*\(fix: /,
    );
  });

  test('ports of one number may each share its first node port, whatever their protocols', () => {
    const plan = examplePlanData('web-nginx');
    plan.services['nginx-svc'].ports = [
      { name: 'dns', port: 8080, protocol: 'UDP', nodePort: 30000 },
      { name: 'sctp', port: 8080, protocol: 'SCTP', nodePort: 30000 },
      { name: 'http', port: 8080, nodePort: 30000 },
    ];
    assert.doesNotThrow(() => parsePlan(plan));
  });
});

describe('router paths', () => {
  for (const router of ['ingress-nginx', 'gateway-api']) {
    test(`the ${router} router's path with '//', '/./', '/../' or '%2F', or ending in '/.' or '/..', is rejected`, () => {
      for (const path of ['/a//b', '/a/./b', '/a/../b', '/a%2fb', '/a%2Fb', '/a/.', '/a/..']) {
        const plan = examplePlanData(router === 'ingress-nginx' ? 'search-nginx' : 'checkout-gateway');
        plan.traffic.path = path;
        const found = stackProblems(plan);
        assert.ok(
          found.some((m) => m.startsWith('traffic.path: ') && m.includes(JSON.stringify(path))),
          `${path}:\n${found.join('\n')}`,
        );
      }
    });
  }

  test('a path with a dot or two inside a segment is accepted', () => {
    const plan = examplePlanData('search-nginx');
    plan.traffic.path = '/v1.2/..hidden/a.';
    assert.deepEqual(stackProblems(plan), []);
  });
});

describe('Deployment selectors', () => {
  test('a matchExpressions key that is not a label key is rejected', () => {
    const plan = fopGateWith((w) => {
      w.selector = { matchLabels: { app: 'fop-gate', track: 'stable' }, matchExpressions: [{ key: 'Bad Key', operator: 'DoesNotExist' }] };
    });
    assertReports(plan, /^workloads\.fop-gate\.selector\.matchExpressions\[0\]\.key: label key 'Bad Key' must be 1-63 characters/);
  });

  test('a matchExpressions value that is not a label value is rejected', () => {
    const plan = fopGateWith((w) => {
      w.selector = {
        matchLabels: { app: 'fop-gate' },
        matchExpressions: [{ key: 'track', operator: 'In', values: ['stable', 'bad value'] }],
      };
    });
    assertReports(
      plan,
      /^workloads\.fop-gate\.selector\.matchExpressions\[0\]\.values\[1\]: label value 'bad value' must be at most 63 characters/,
    );
  });
});

describe('security overrides', () => {
  test('a runAsUser above 2147483647 is rejected; 2147483647 is accepted', () => {
    const plan = fopGateWith((w) => (w.securityOverrides = { reason: 'legacy image', runAsUser: 2147483648 }));
    assertReports(plan, /^workloads\.fop-gate\.securityOverrides\.runAsUser: must be a whole number from 0 to 2147483647, got 2147483648/);
    const largest = fopGateWith((w) => (w.securityOverrides = { reason: 'legacy image', runAsUser: 2147483647 }));
    assert.equal(parsePlan(largest).workloads[0].securityOverrides?.runAsUser, 2147483647);
  });
});

describe('HTTPRoute fields', () => {
  test('a gateway-api path longer than 1024 characters is rejected; 1024 is accepted', () => {
    const plan = examplePlanData('checkout-gateway');
    plan.traffic.path = `/${'p'.repeat(1024)}`;
    assert.ok(
      stackProblems(plan).some((m) => /^traffic\.path: must be at most 1024 characters for router gateway-api, got 1025/.test(m)),
      stackProblems(plan).join('\n'),
    );
    plan.traffic.path = `/${'p'.repeat(1023)}`;
    assert.deepEqual(stackProblems(plan), []);
  });

  // Found by the differential test against the Gateway API's own CRD and its CEL rules.
  test('two references to one Gateway need distinct sectionNames; distinct listeners are accepted', () => {
    const plan = examplePlanData('checkout-gateway');
    plan.traffic.parentRefs = [
      { name: 'public', namespace: 'gateway-system' },
      { name: 'public', namespace: 'gateway-system' },
    ];
    assert.ok(
      stackProblems(plan).some((m) => /^traffic\.parentRefs\[1\]: refers to Gateway public twice/.test(m)),
      stackProblems(plan).join('\n'),
    );
    plan.traffic.parentRefs = [
      { name: 'public', namespace: 'gateway-system', sectionName: 'https' },
      { name: 'public', namespace: 'gateway-system' },
    ];
    assert.ok(
      stackProblems(plan).some((m) =>
        /^traffic\.parentRefs\[1\]: refers to Gateway public again, so every reference to it needs a sectionName/.test(m),
      ),
    );
    plan.traffic.parentRefs = [
      { name: 'public', namespace: 'gateway-system', sectionName: 'https' },
      { name: 'public', namespace: 'gateway-system', sectionName: 'http' },
    ];
    assert.deepEqual(stackProblems(plan), []);
  });

  // Found by the differential test against the Gateway API's own CRD and its CEL rules.
  test('a gateway-api path with a character outside a URL path is rejected; percent-encoded it is accepted', () => {
    const plan = examplePlanData('checkout-gateway');
    plan.traffic.path = '/a?b';
    assert.ok(
      stackProblems(plan).some((m) => /^traffic\.path: must hold only URL path characters .* got "\/a\?b"/.test(m)),
      stackProblems(plan).join('\n'),
    );
    plan.traffic.path = '/a%3Fb';
    assert.deepEqual(stackProblems(plan), []);
  });
});

describe('Service names', () => {
  test('a Service name that starts with a digit is rejected (a DNS-1035 label), though a workload may have one', () => {
    const plan = examplePlanData('fop-gate');
    plan.services['9fop-gate'] = plan.services['fop-gate'];
    delete plan.services['fop-gate'];
    plan.workloads['9fop'] = { labels: { app: 'fop-gate', track: 'nine' } };
    const found = problems(plan);
    assert.ok(
      found.some((m) => /^services\.9fop-gate: '9fop-gate' must start with a lowercase letter/.test(m)),
      found.join('\n'),
    );
    assert.ok(!found.some((m) => /^workloads\.9fop/.test(m)), found.join('\n'));
  });
});

describe('router host and class names', () => {
  for (const router of ['ingress-nginx', 'gateway-api']) {
    test(`an IPv4 address as the ${router} router's host is rejected; a name of digits and dots that is no address is not`, () => {
      const plan = examplePlanData(router === 'ingress-nginx' ? 'search-nginx' : 'checkout-gateway');
      const set = (host: string) => (router === 'ingress-nginx' ? (plan.traffic.host = host) : (plan.traffic.hostnames = [host]));
      const at = router === 'ingress-nginx' ? 'traffic\\.host' : 'traffic\\.hostnames\\[0\\]';
      for (const ip of ['1.2.3.4', '010.0.0.255']) {
        set(ip);
        assert.ok(
          stackProblems(plan).some((m) => new RegExp(`^${at}: must be a DNS name, not an IP address, got "${ip}"`).test(m)),
          `${ip}:\n${stackProblems(plan).join('\n')}`,
        );
      }
      set('1.2.3.256');
      assert.deepEqual(stackProblems(plan), []);
    });
  }

  test('an ingressClassName longer than 253 characters is rejected; 253 are accepted', () => {
    const plan = examplePlanData('search-nginx');
    plan.traffic.ingressClassName = `${'c'.repeat(127)}.${'c'.repeat(126)}`;
    assert.ok(
      stackProblems(plan).some((m) =>
        /^traffic\.ingressClassName: must be a lowercase DNS name of at most 253 characters, got "c+/.test(m),
      ),
      stackProblems(plan).join('\n'),
    );
    plan.traffic.ingressClassName = `${'c'.repeat(126)}.${'c'.repeat(126)}`;
    assert.deepEqual(stackProblems(plan), []);
  });

  test('more than 16 gateway-api host names are rejected; 16 are accepted', () => {
    const plan = examplePlanData('checkout-gateway');
    plan.traffic.hostnames = Array.from({ length: 17 }, (_, i) => `h${i}.example.com`);
    assert.ok(
      stackProblems(plan).some((m) => /^traffic\.hostnames: must list at most 16 host names \(an HTTPRoute holds 16\), got 17/.test(m)),
      stackProblems(plan).join('\n'),
    );
    plan.traffic.hostnames.pop();
    assert.deepEqual(stackProblems(plan), []);
  });

  test('a gateway-api parentRef sectionName over 253 characters is rejected', () => {
    const plan = examplePlanData('checkout-gateway');
    plan.traffic.parentRefs[0].sectionName = 'l'.repeat(254);
    assert.ok(
      stackProblems(plan).some((m) =>
        /^traffic\.parentRefs\[0\]\.sectionName: must be a lowercase listener name of at most 253 characters/.test(m),
      ),
      stackProblems(plan).join('\n'),
    );
  });
});

/**
 * fast-check arbitraries for plans whose pod template, Service, name and router fields sit at the
 * limits Kubernetes sets, and now and then past them: port numbers 1 and 65535 (and 0 and 65536),
 * names of 63 characters (and 64), environment variable names with dots, dashes and spaces (and
 * '='), quantities of one millicore or of 22 digits, mount paths that differ only by a slash,
 * probe thresholds at their bounds, node ports at the ends of their range, and so on.
 *
 * Built on `validPlanDataArbitrary`: the plan's shape (kinds, workloads, stages, selectors) stays
 * valid. Two plans in three draw every field from ordinary and boundary values, kept consistent
 * with each other the way a careful author would (requests at most their limits, distinct ports
 * and mount paths, a hostPath volume only with its security override). The third takes one
 * field, or the agreement between fields, past its limit about half the time. Stepwise may refuse
 * a plan; the validation differential test (e2e/validation-differential.e2e.test.ts) checks that
 * the API server accepts every plan it does not refuse.
 */
import fc from 'fast-check';
import { cpuMillicores, memoryMebibytes } from '../../lib/model/quantities';
import { validPlanDataArbitrary, type PlanArbitraryOptions, type PlanData } from './plan-generators';

const INT32_MAX = 2147483647;
const long = (c: string, n: number) => c.repeat(n);

/** A record whose keys other than `required` may be left out (a plain object, never a null prototype). */
function record<T extends object, K extends keyof T = never>(
  model: { [P in keyof T]: fc.Arbitrary<T[P]> },
  required: K[] = [],
): fc.Arbitrary<Partial<T> & Pick<T, K>> {
  return fc.record(model, { requiredKeys: required, noNullPrototype: true }) as unknown as fc.Arbitrary<Partial<T> & Pick<T, K>>;
}

/**
 * The arbitraries of every field. Each call of `near` below is one site (a field, or a kind of
 * value several fields share), and so is `mismatch`, the agreement between fields (distinct ports
 * and mount paths, a request at most its limit, a hostPath volume with its override, …). Only the
 * site numbered `focus`, if any, goes past its limit, about half the time: a plan with one value
 * past a limit shows whether `check` catches that value, where a plan with several is refused for
 * whichever it catches first. Without a focus every value and combination is one stepwise is
 * meant to accept.
 */
function fieldArbitraries(focus?: number) {
  let sites = 0;
  /** True (fields may disagree) half the time when the focus is on the agreement between fields, else never. */
  const mismatch = sites++ === focus ? fc.boolean() : fc.constant(false);
  /** Mostly an ordinary value, sometimes a boundary one, and at the focus, half the time, one past the limit. */
  const near = <T>(ordinary: readonly T[], boundary: readonly T[] = [], beyond: readonly T[] = []): fc.Arbitrary<T> => {
    const groups: { weight: number; arbitrary: fc.Arbitrary<T> }[] = [{ weight: 2, arbitrary: fc.constantFrom(...ordinary) }];
    if (boundary.length > 0) groups.push({ weight: 1, arbitrary: fc.constantFrom(...boundary) });
    if (sites++ === focus && beyond.length > 0) groups.push({ weight: groups.length === 2 ? 3 : 2, arbitrary: fc.constantFrom(...beyond) });
    return fc.oneof(...groups);
  };
  /** Up to `max` items; but for a mismatch, no two `clash`. */
  const list = <T>(item: fc.Arbitrary<T>, max: number, clash: (a: T, b: T) => boolean, min = 0): fc.Arbitrary<T[]> =>
    mismatch.chain((clashing) =>
      clashing
        ? fc.array(item, { minLength: min, maxLength: max })
        : fc.uniqueArray(item, { minLength: min, maxLength: max, comparator: clash }),
    );

  const dnsLabel = near(['main', 'app', 'web-1'], ['a', long('c', 63), '9c', 'a-b-c'], [long('c', 64), 'Main', 'a_b', 'a.b', '-a']);
  const portNumber = near([80, 8080, 9090], [1, 1023, 65535], [0, 65536]);
  const portName = near(['http', 'metrics', 'grpc'], ['h', long('p', 15), 'h2c-9', '9a'], [long('p', 16), 'a--b', '99', 'HTTP', '-a']);
  const protocol = near(['TCP'], ['UDP', 'SCTP'], ['tcp']);

  type Port = number | { name?: string; containerPort: number; protocol?: string };
  const portKey = (p: Port) => (typeof p === 'number' ? `${p}/TCP` : `${p.containerPort}/${p.protocol ?? 'TCP'}`);
  const containerPorts = list<Port>(
    fc.oneof(
      { weight: 1, arbitrary: portNumber },
      { weight: 4, arbitrary: record({ name: portName, containerPort: portNumber, protocol }, ['containerPort']) },
    ),
    3,
    (a, b) => portKey(a) === portKey(b) || (typeof a !== 'number' && typeof b !== 'number' && a.name !== undefined && a.name === b.name),
  );

  const envName = near(
    ['PORT', 'JAVA_OPTS', 'LOG_LEVEL'],
    ['a.b', '-x', '1A', 'a b', '~!@#$%^&*()', ' lead', 'trail ', '_', long('E', 300)],
    ['A=B', '=', 'é', 'ü_X', '\u00a0'],
  );
  const envValue = near(['8080', 'info', '-Xmx1g'], ['', ' ', 'ünïcödé ✓', '$(PORT)', long('v', 4096), 'tab\there', 'two\nlines']);

  const cpu = near(
    ['100m', '250m', '500m', '1', '2'],
    ['1m', '0.001', '1.5', '64', '999999999999.999', '999999999999999m'],
    ['0m', '0.0001', '1.2345', '-1', '1e3', '1000000000000', long('9', 22), `1${long('0', 21)}m`],
  );
  const memory = near(
    ['64Mi', '128Mi', '256Mi', '1Gi'],
    ['1Mi', '1Ti', '8388607Ti', '8796093022207Mi', '8589934591Gi'],
    ['0Mi', '1M', '1.5Gi', '128mi', '8388608Ti', '9007199254740993Mi', `1${long('0', 21)}Mi`],
  );
  /** A request and a limit of one resource, the smaller the request but for a mismatch; either may be left out. */
  const requestAndLimit = (quantity: fc.Arbitrary<string>, amount: (q: string) => number) =>
    fc
      .tuple(quantity, fc.option(quantity, { nil: undefined }), mismatch)
      .map(([a, b, above]) => (b === undefined || above || !(amount(a) > amount(b)) ? { request: a, limit: b } : { request: b, limit: a }));
  const safeAmount = (amount: (q: string) => number) => (q: string) => (/^\d+(\.\d+)?(m|Mi|Gi|Ti)?$/.test(q) ? amount(q) : 0);
  const resources = fc
    .record({
      cpu: fc.option(requestAndLimit(cpu, safeAmount(cpuMillicores)), { nil: undefined }),
      memory: requestAndLimit(memory, safeAmount(memoryMebibytes)),
    })
    .map(({ cpu: c, memory: m }) => ({
      requests: { ...(c ? { cpu: c.request } : {}), memory: m.request },
      limits: { ...(c?.limit ? { cpu: c.limit } : {}), ...(m.limit ? { memory: m.limit } : {}) },
    }));

  const urlPath = near(['/healthz', '/ready', '/'], ['healthz', '/a b', '/ünï', '//x', '/x?y=1', long('/p', 600)], ['']);
  const word = near(['/bin/sh', '-c', 'sleep 5', 'cat'], [' ', long('a', 2000), 'ünï'], ['']);
  const commandLine = fc.array(word, { maxLength: 3 });
  // An exec probe or hook runs a command: at least one word, but for a mismatch.
  const execCommand = mismatch.chain((empty) => (empty ? fc.constant<string[]>([]) : fc.array(word, { minLength: 1, maxLength: 3 })));
  const probeTiming = (min: number) => near([1, 3, 5, 10], [min, INT32_MAX, 2], [min - 1, INT32_MAX + 1]);
  /** A probe; only a readiness probe asks for several successes, unless that is the value past its limit. */
  const probe = (kind: 'readiness' | 'liveness' | 'startup') =>
    record(
      {
        handler: fc.oneof(
          fc.record({ httpGet: fc.record({ path: urlPath, port: portNumber }) }),
          fc.record({ tcpSocket: fc.record({ port: portNumber }) }),
          fc.record({ exec: fc.record({ command: execCommand }) }),
        ),
        initialDelaySeconds: probeTiming(0),
        periodSeconds: probeTiming(1),
        timeoutSeconds: probeTiming(1),
        failureThreshold: probeTiming(1),
        successThreshold: kind === 'readiness' ? probeTiming(1) : near([1], [], [0, 2, INT32_MAX]),
      },
      ['handler'],
    ).map(({ handler, ...timing }) => ({ ...handler, ...timing }));
  const preStop = fc.oneof(
    fc.record({ exec: fc.record({ command: execCommand }) }),
    fc.record({ httpGet: fc.record({ path: urlPath, port: portNumber }) }),
  );

  const mountPath = near(['/tmp', '/cache', '/etc/config'], ['/', '/tmp/', '//tmp', '/a:b', '/a/../b', '/ünï', '/x y'], ['tmp', '']);
  const hostPathPath = near(
    ['/var/log', '/data'],
    ['/', '/a..b/..c', 'relative', '/a b', '/var/./log', '//var'],
    ['/var/../etc', '/a/..', '..'],
  );
  const sizeLimit = near(['64Mi', '1Gi'], ['1Mi', '8388607Ti'], ['0Mi', '1G', '-1Mi', `1${long('0', 21)}Mi`]);
  const volumeSource = fc.oneof(
    { weight: 8, arbitrary: fc.record({ emptyDir: record({ medium: fc.constant('Memory'), sizeLimit }) }) },
    { weight: 4, arbitrary: fc.record({ configMap: fc.record({ name: dnsLabel }) }) },
    {
      weight: 1,
      arbitrary: fc.record({
        hostPath: record({ path: hostPathPath, type: near(['Directory', 'DirectoryOrCreate'], ['', 'Socket', 'File'], ['directory']) }, [
          'path',
        ]),
      }),
    },
  );
  type Volume = { name: string; mountPath: string; readOnly?: boolean; source: Record<string, unknown> };
  const volumes = list<Volume>(
    record({ name: dnsLabel, mountPath, readOnly: fc.boolean(), source: volumeSource }, ['name', 'mountPath', 'source']),
    3,
    (a, b) => a.name === b.name || a.mountPath === b.mountPath,
  ).map((items) => items.map(({ source, ...rest }) => ({ ...rest, ...source })));

  /** A qualified name (label key, annotation key), with and without a prefix. */
  const qualifiedName = (boundary: readonly string[], beyond: readonly string[]) =>
    near(
      ['owner', 'example.com/team', 'tier'],
      [
        long('k', 63),
        `${long('p', 253)}/x`,
        `${long('p', 63)}.${long('q', 63)}/name`,
        'a.b_c-d',
        'kubernetes.io/change-cause',
        '9/x',
        ...boundary,
      ],
      [long('k', 64), '/x', 'x/', 'bad key', 'a/b/c', `${long('p', 254)}/x`, '_a', '-a.com/x', ...beyond],
    );
  // The API server lowercases an annotation key before checking it; a label key's prefix must be lowercase.
  const annotationKey = qualifiedName(['Example.com/Team', 'UPPER'], ['Example_com/x']);
  const labelKey = qualifiedName(['UPPER'], ['Example.com/Team']);
  const annotationValue = near(['alice', 'true', ''], ['ünïcödé ✓', long('v', 10_000), '{"json": [1, 2]}', 'two\nlines']);
  const annotations = fc.oneof(
    { weight: 20, arbitrary: fc.dictionary(annotationKey, annotationValue, { maxKeys: 3, noNullPrototype: true }) },
    // At, or one byte past, the 256 KiB of keys and values the API server allows on one object.
    { weight: 1, arbitrary: near<Record<string, string>>([{ big: long('x', 256 * 1024 - 3) }], [], [{ big: long('x', 256 * 1024 - 2) }]) },
  );
  const labelValue = near(['blue', 'v2'], ['', long('v', 63), 'A.b-c_d', '9'], [long('v', 64), 'bad value', '-a', 'a.']);
  const extraLabels = fc.dictionary(labelKey, labelValue, { maxKeys: 2, noNullPrototype: true });

  const securityOverrides = record(
    {
      reason: fc.constant('the differential test relaxes it'),
      runAsRoot: fc.boolean(),
      runAsUser: near([1000, 65534], [1, INT32_MAX, 0], [INT32_MAX + 1, 2 ** 40]),
      writableRootFilesystem: fc.boolean(),
      addCapabilities: fc.array(near(['NET_BIND_SERVICE'], ['SYS_TIME', 'CAP_CHOWN', 'net_admin', 'ALL'], ['a b', '']), { maxLength: 2 }),
      hostPath: fc.boolean(),
    },
    ['reason'],
  ).chain((o) => mismatch.map((rootless) => (!rootless && o.runAsUser === 0 ? { ...o, runAsRoot: true } : o)));

  /** minReadySeconds and progressDeadlineSeconds, the deadline the later but for a mismatch. */
  const readyAndDeadline = fc
    .tuple(near([0, 5], [INT32_MAX - 1], [INT32_MAX + 1]), near([600], [1, INT32_MAX], [0]), mismatch)
    .map(([minReadySeconds, deadline, early]) => ({
      minReadySeconds,
      progressDeadlineSeconds: early || deadline > minReadySeconds ? deadline : minReadySeconds + 1,
    }));

  /** The pod template and Deployment fields of one workload; each may be left out. */
  const workloadFields = record({
    container: dnsLabel,
    ports: containerPorts,
    command: commandLine,
    args: commandLine,
    env: fc.dictionary(envName, envValue, { maxKeys: 3, noNullPrototype: true }),
    resources,
    readinessProbe: probe('readiness'),
    livenessProbe: probe('liveness'),
    startupProbe: probe('startup'),
    preStop,
    terminationGracePeriodSeconds: near([30, 60], [0, INT32_MAX, 2 ** 53 - 1], [-1]),
    timing: readyAndDeadline,
    revisionHistoryLimit: near([10, 2], [0, INT32_MAX], [-1]),
    volumes,
    podAnnotations: annotations,
    // Mostly none, so that most namespaces enforce the restricted Pod Security Standard.
    securityOverrides: fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: securityOverrides }),
    imagePullPolicy: near(['IfNotPresent'], ['Always', 'Never'], ['always']),
    disruptionBudget: near<unknown>(
      [{ maxUnavailable: 1 }],
      [false, { maxUnavailable: '100%' }, { maxUnavailable: INT32_MAX }],
      [{ maxUnavailable: '0%' }, { maxUnavailable: '101%' }],
    ),
    labels: extraLabels,
    selectorKey: near(['never-set'], ['example.com/never-set', long('k', 63)], ['Bad Key', long('k', 64), 'a/b/c']),
    strategy: near<Record<string, unknown>>(
      [{ type: 'RollingUpdate', maxSurge: 1, maxUnavailable: 0 }],
      [
        { type: 'RollingUpdate', maxSurge: INT32_MAX, maxUnavailable: 0 },
        { type: 'RollingUpdate', maxSurge: '2147483647%', maxUnavailable: '100%' },
        { type: 'RollingUpdate', maxSurge: 0, maxUnavailable: '1%' },
        { type: 'Recreate' },
      ],
      [{ maxSurge: '2147483648%' }, { maxUnavailable: '101%' }, { maxSurge: 0, maxUnavailable: 0 }],
    ),
    selectorValue: near(['blue', 'v2'], [long('v', 63), 'A.b-c_d', '9'], ['', long('v', 64), 'bad value', '-a']),
    withoutOverride: mismatch,
  }).map(({ timing, withoutOverride, ...fields }) => {
    const workload: Record<string, any> = { ...fields, ...timing };
    // A hostPath volume needs its override (but for a mismatch).
    const hostPath = (workload.volumes ?? []).some((v: Record<string, unknown>) => v.hostPath !== undefined);
    if (hostPath && !withoutOverride)
      workload.securityOverrides = { reason: 'reads node logs', ...workload.securityOverrides, hostPath: true };
    return workload;
  });

  type ServicePort = { name: string; port: number; targetPort?: number; nodePort?: number; protocol?: string };
  const servicePorts = list<ServicePort>(
    record(
      {
        name: near(['http', 'admin', 'grpc'], ['a', '1', long('n', 63), 'a-1'], ['HTTP', long('n', 64), 'a_b', 'http.x']),
        port: portNumber,
        targetPort: portNumber,
        nodePort: near([30080, 31000], [30000, 32767], [29999, 32768]),
        protocol,
      },
      ['name', 'port'],
    ),
    3,
    (a, b) =>
      a.name === b.name ||
      `${a.port}/${a.protocol ?? 'TCP'}` === `${b.port}/${b.protocol ?? 'TCP'}` ||
      // One node port serves a TCP and a UDP port only of one port number.
      (a.nodePort !== undefined && a.nodePort === b.nodePort && (a.port !== b.port || (a.protocol ?? 'TCP') === (b.protocol ?? 'TCP'))),
    1,
  );
  /** A Service's type and ports (node ports only where the type has them). */
  const serviceFields = record({ type: near(['ClusterIP'], ['NodePort', 'LoadBalancer']), ports: servicePorts }, ['ports']);
  /** A workload's name: the one it has, or one at the limits of a Deployment name. */
  /** A workload's name from the one it has: itself, or one at the limits of a Deployment name. */
  const workloadName = near<(name: string) => string>(
    [(name) => name],
    [(name) => `${long('w', 63 - name.length)}${name}`, (name) => `9${name}`],
    [(name) => `${name}.x`, () => long('w', 64)],
  );
  /** A Service's name from its app's: the same, or one at the limits of a Service name. */
  const serviceName = near<(app: string) => string>(
    [(app) => app],
    [(app) => `${long('s', 60)}-${app.slice(-1)}`],
    [(app) => `9${app}`, () => long('s', 64), (app) => `svc.${app}`],
  );
  const namespace = near(['diff-ns'], ['9diff', long('n', 63)], [long('n', 64), 'Diff']);
  const image = near(
    ['registry.example.com/team/app:1.0.0', 'registry.example.com/team/app:2.0.0'],
    ['app', 'localhost:5000/a/b/c:tag', `app@sha256:${long('a', 64)}`, 'APP:Latest', 'ünï/app', long('i', 4096), 'app:', ':tag', '@'],
    ['with space', ' lead'],
  );

  const hostname = near(
    ['shop.example.com'],
    ['*.example.com', `${long('h', 63)}.com`, 'localhost', '1.2.3.256', 'a', '9'],
    ['Shop.example.com', 'a..b', `${long('h', 64)}.com`, '*', '1.2.3.4'],
  );
  const routePath = near(
    ['/', '/api'],
    ['/api/', '/ünï', '/a?b', '/a#b', '/v1.2/..x/a.', '/%41', '/a%', long('/p', 512)],
    ['api', '/a b', '//api', '/a//b', '/a/./b', '/a/../b', '/..', '/.', '/%2F'],
  );
  const ingressNginx = record(
    {
      router: fc.constant('ingress-nginx'),
      host: hostname,
      path: routePath,
      ingressClassName: near(
        ['nginx'],
        ['nginx.example.com', long('c', 63), `${long('c', 126)}.${long('c', 126)}`],
        ['Nginx', `${long('c', 127)}.${long('c', 126)}`],
      ),
      canaryByHeader: near(['X-Canary'], ['x', "!#$%&'*+.^_`|~-"], ['X Canary']),
    },
    ['router'],
  );
  const gatewayApi = record(
    {
      router: fc.constant('gateway-api'),
      parentRefs: fc.array(
        record(
          {
            name: near(['public'], ['gw.example', long('g', 253)], ['Public']),
            namespace: near(['gateway-system'], [long('n', 63)], ['Gateway']),
            sectionName: near(['https'], ['a.b', long('l', 63)], ['HTTPS', long('l', 254)]),
            port: portNumber,
          },
          ['name'],
        ),
        { minLength: 1, maxLength: 2 },
      ),
      // More than the 16 host names an HTTPRoute holds, but for a mismatch.
      hostnames: mismatch.chain((many) =>
        many ? fc.constant(Array.from({ length: 17 }, (_, i) => `h${i}.example.com`)) : fc.array(hostname, { maxLength: 2 }),
      ),
      path: routePath,
    },
    ['router', 'parentRefs'],
  );
  // ingress-nginx and gateway-api have settings to draw, smi none.
  const router = fc.oneof(
    { weight: 2, arbitrary: ingressNginx },
    { weight: 2, arbitrary: gatewayApi },
    { weight: 1, arbitrary: fc.record({ router: fc.constant('smi') }) },
  );
  return { sites, mismatch, namespace, extraLabels, workloadFields, workloadName, serviceFields, serviceName, image, router };
}

const WITHIN_LIMITS = fieldArbitraries();
/** One set of arbitraries per site that may go past its limit. */
const PAST_LIMITS = Array.from({ length: WITHIN_LIMITS.sites }, (_, site) => fieldArbitraries(site));

/** Limits of the generated plans. */
export interface BoundaryPlanOptions extends PlanArbitraryOptions {
  /**
   * Whether a plan takes one field (or the agreement between fields) past its limit: always,
   * never, or (left out) one plan in three.
   * @default one plan in three
   */
  readonly pastLimits?: boolean;
}

/** Everything drawn for one plan on top of its valid shape. */
interface BoundaryFields {
  /** The plan's Services, selectors and router may disagree with each other (when the focus is on that). */
  readonly mismatch: boolean;
  readonly namespace?: string;
  readonly labels?: Record<string, string>;
  readonly workloads: readonly Record<string, any>[];
  readonly services: readonly { readonly type?: string; readonly ports: readonly Record<string, unknown>[] }[];
  readonly serviceNames: readonly string[];
  readonly workloadNames: readonly string[];
  readonly images: readonly (readonly (string | undefined)[])[];
  readonly traffic?: {
    readonly app: number;
    readonly settings: Record<string, unknown>;
    readonly weights: readonly (number | undefined)[];
  };
  readonly syncWaves: boolean;
}

/**
 * Random plan data as in a stack file: a valid plan of `validPlanDataArbitrary` (by default at
 * most 2 apps of 3 workloads, 3 stages and 4 replicas) with fields at the limits drawn for its
 * namespace, common labels, every workload, every Service and its name, the stages' images, and
 * sometimes a weighted traffic router and GitOps sync waves. `checks.capacityFloor` is 0, so that
 * `check` judges the plan's validity and endpoints, not its random replica counts.
 */
export function boundaryPlanDataArbitrary(options: BoundaryPlanOptions = {}): fc.Arbitrary<PlanData> {
  const { pastLimits, ...limits } = options;
  const shape = { maxApps: 2, maxWorkloadsPerApp: 3, maxStages: 3, maxReplicas: 4, ...limits };
  const past = fc.constantFrom(...PAST_LIMITS);
  const pools =
    pastLimits === undefined
      ? fc.oneof({ weight: 2, arbitrary: fc.constant(WITHIN_LIMITS) }, { weight: 1, arbitrary: past })
      : pastLimits
        ? past
        : fc.constant(WITHIN_LIMITS);
  return fc.tuple(validPlanDataArbitrary(shape), pools).chain(([base, pool]) => {
    const workloadCount = Object.keys(base.workloads).length;
    const apps = Object.keys(base.services);
    const fields: fc.Arbitrary<BoundaryFields> = fc.record(
      {
        mismatch: pool.mismatch,
        namespace: pool.namespace,
        labels: pool.extraLabels,
        workloads: exactly(workloadCount, pool.workloadFields),
        services: exactly(apps.length, pool.serviceFields),
        serviceNames: fc.tuple(...apps.map((app) => pool.serviceName.map((name) => name(app)))),
        workloadNames: fc.tuple(...Object.keys(base.workloads).map((workload) => pool.workloadName.map((name) => name(workload)))),
        images: exactly(base.stages.length, exactly(workloadCount, fc.option(pool.image, { nil: undefined, freq: 2 }))),
        traffic: fc.option(
          fc.record({
            app: fc.integer({ min: 0, max: apps.length - 1 }),
            settings: pool.router,
            weights: exactly(base.stages.length, fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined })),
          }),
          { nil: undefined, freq: 3 },
        ),
        syncWaves: fc.boolean(),
      },
      {
        requiredKeys: ['mismatch', 'workloads', 'services', 'serviceNames', 'workloadNames', 'images', 'traffic', 'syncWaves'],
        noNullPrototype: true,
      },
    );
    return fields.map((drawn) => withBoundaryFields(base, drawn));
  });
}

/** `n` values of `arbitrary`. */
function exactly<T>(n: number, arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T[]> {
  return fc.array(arbitrary, { minLength: n, maxLength: n });
}

function withBoundaryFields(base: PlanData, drawn: BoundaryFields): PlanData {
  const plan = structuredClone(base);
  plan.checks = { capacityFloor: 0 };
  if (drawn.namespace !== undefined) plan.namespace = drawn.namespace;
  if (drawn.labels !== undefined) plan.labels = { ...plan.labels, ...drawn.labels };
  if (drawn.syncWaves) plan.gitops = { syncWaves: true };

  Object.entries(plan.workloads as Record<string, any>).forEach(([name, workload], i) => {
    const { labels, selectorKey, selectorValue, ...fields } = drawn.workloads[i];
    Object.assign(workload, fields);
    // Extra pod labels; the selector stays the app and track labels, and may require a key no pod has.
    if (labels) workload.labels = { ...labels, ...workload.labels };
    // The key must be one no pod has, for the selector to select the workload's own pods (but for a mismatch).
    const podLabels = { ...plan.labels, ...workload.labels };
    const absentKey = selectorKey !== undefined && (drawn.mismatch || !(selectorKey in podLabels)) ? selectorKey : undefined;
    // Or select the track among it and another value.
    const { app, track } = base.workloads[name].labels;
    const expressions = [
      ...(absentKey !== undefined ? [{ key: absentKey, operator: 'DoesNotExist' }] : []),
      ...(selectorValue !== undefined ? [{ key: 'track', operator: 'In', values: [track, selectorValue] }] : []),
    ];
    if (expressions.length > 0 || labels) {
      workload.selector = {
        matchLabels: selectorValue !== undefined ? { app } : { app, track },
        ...(expressions.length > 0 ? { matchExpressions: expressions } : {}),
      };
    }
  });

  withEndpointsInEveryStage(plan);
  const renamed = new Map(Object.keys(plan.services).map((app, i) => [app, drawn.serviceNames[i]]));
  const services: PlanData = {};
  const nodePortsTaken = new Set<unknown>();
  Object.entries(plan.services as Record<string, any>).forEach(([app, service], i) => {
    const { type, ports } = drawn.services[i];
    const hasNodePorts = type === 'NodePort' || type === 'LoadBalancer';
    // A node port is the cluster's: two Services may not share one (but for a mismatch).
    const keep = (p: Record<string, unknown>) => hasNodePorts && (drawn.mismatch || !nodePortsTaken.has(p.nodePort));
    const servicePorts = ports.map((p) => (keep(p) ? p : withoutNodePort(p)));
    for (const p of servicePorts) if (p.nodePort !== undefined) nodePortsTaken.add(p.nodePort);
    services[renamed.get(app) as string] = { ...service, ...(type !== undefined ? { type } : {}), ports: servicePorts };
  });
  plan.services = services;

  plan.stages.forEach((stage: PlanData, s: number) => {
    Object.keys(plan.workloads).forEach((name, w) => {
      const image = drawn.images[s][w];
      if (stage.workloads[name] && image !== undefined) stage.workloads[name].image = image;
    });
    if (stage.services) {
      stage.services = Object.fromEntries(Object.entries(stage.services).map(([app, selector]) => [renamed.get(app), selector]));
    }
  });

  if (drawn.traffic) addTraffic(plan, base, drawn, renamed);
  renameWorkloads(plan, drawn.workloadNames);
  return plan;
}

/**
 * The workloads under their drawn names, in the plan and in every stage. Their labels keep the
 * old name as the track, so selectors, Services and routers are unchanged.
 */
function renameWorkloads(plan: PlanData, names: readonly string[]): void {
  const renamed = new Map(Object.keys(plan.workloads).map((name, i) => [name, names[i]]));
  const rename = (map: PlanData) => Object.fromEntries(Object.entries(map).map(([name, value]) => [renamed.get(name) ?? name, value]));
  plan.workloads = rename(plan.workloads);
  for (const stage of plan.stages) stage.workloads = rename(stage.workloads);
}

/**
 * Every Service keeps a running, unpaused workload in every stage (the first it selects is scaled
 * to at least one pod where none is), so that `check` does not refuse the plan for a Service left
 * without endpoints: that is a matter of replicas, which the API server does not judge.
 */
function withEndpointsInEveryStage(plan: PlanData): void {
  for (const stage of plan.stages as PlanData[]) {
    for (const app of Object.keys(plan.services)) {
      const track: string | undefined = stage.services?.[app]?.selector?.track;
      const selected = track !== undefined ? [track] : Object.keys(plan.workloads).filter((w) => plan.workloads[w].labels.app === app);
      if (!selected.some((w) => isServing(stage, w))) serving(stage, selected[0]);
    }
  }
}

function isServing(stage: PlanData, workload: string): boolean {
  const state = stage.workloads[workload];
  return state !== undefined && state.replicas > 0 && !state.paused;
}

/** `workload` runs at least one pod, unpaused, in `stage`. */
function serving(stage: PlanData, workload: string): void {
  if (isServing(stage, workload)) return;
  const state = stage.workloads[workload];
  stage.workloads[workload] = {
    replicas: Math.max(1, state?.replicas ?? 0),
    image: state?.image ?? 'registry.example.com/team/app:1.0.0',
    paused: false,
  };
}

function withoutNodePort(port: Record<string, unknown>): Record<string, unknown> {
  const { nodePort: _, ...rest } = port;
  return rest;
}

/**
 * A weighted router in front of one app's Service: its tracks are the app's workloads (the track
 * label is the workload name), the first is the stable track, and each stage may send a weight to
 * the second. But for a mismatch, the router is left out where stepwise would refuse it for its shape (ingress-nginx for other than two tracks, a per-track Service name over
 * 63 characters), and a track given a weight gets a running pod.
 */
function addTraffic(plan: PlanData, base: PlanData, drawn: BoundaryFields, renamed: Map<string, string>): void {
  const traffic = drawn.traffic as NonNullable<BoundaryFields['traffic']>;
  const apps = Object.keys(base.services);
  const tracksOf = (app: string) => Object.keys(base.workloads).filter((name) => base.workloads[name].labels.app === app);
  // ingress-nginx splits two tracks: it routes the first app of two workloads, unless mismatched.
  const twoTracks = apps.find((app) => tracksOf(app).length === 2);
  const app = traffic.settings.router === 'ingress-nginx' && !drawn.mismatch && twoTracks ? twoTracks : apps[traffic.app];
  const service = renamed.get(app) as string;
  const tracks = tracksOf(app);
  if (tracks.length < 2) return;
  if (!drawn.mismatch) {
    if (traffic.settings.router === 'ingress-nginx' && tracks.length !== 2) return;
    if (tracks.some((track) => `${service}-${track}`.length > 63)) return;
  }
  plan.traffic = { ...traffic.settings, service, stableTrack: tracks[0] };
  plan.stages.forEach((stage: PlanData, s: number) => {
    const weight = traffic.weights[s];
    if (weight !== undefined) stage.traffic = { [tracks[1]]: weight };
    if (drawn.mismatch) return;
    const weighted = weight === undefined ? [tracks[0]] : [...(weight > 0 ? [tracks[1]] : []), ...(weight < 100 ? [tracks[0]] : [])];
    for (const track of weighted) serving(stage, track);
  });
}

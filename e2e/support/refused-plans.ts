/**
 * Hand-written plans `check` refuses, each an example stack with one edit, and what the API
 * server says of the objects the edited plan renders to: the validation differential test shows
 * that both refuse each one. The first ones are the rules lib/model/api-server-rules.ts was written
 * for (issue #15); the later ones are the holes the differential test found (issue #13).
 */
import type { Plan, SecurityOverrides, Workload } from '../../lib/model';
import type { WeightedRouting } from '../../lib/model/traffic-routing';

/** Plain plan data, as a stack file's `stepwise:plan` holds it. */
export type PlanData = Record<string, any>;

/** How the refused value reaches the API server. */
export type RenderedAs =
  /**
   * The edited plan as `parsePlanWithProblems` reads it, rendered without the check: for the rules
   * that judge fields together (lib/model/api-server-rules.ts), which keep every value they judge.
   */
  | { readonly asRead: true }
  /**
   * The unedited plan, parsed, with the same edit made to the typed plan: stepwise keeps no field
   * value it refuses on its own, so the edited plan as read lacks it.
   */
  | { readonly plan: (plan: Plan) => Plan }
  /** Likewise for a `traffic` setting: the unedited plan's router settings, edited alike. */
  | { readonly router: (routing: WeightedRouting) => WeightedRouting };

/** One plan `check` refuses. */
export interface RefusedPlan {
  /** What is wrong, in a sentence (the test's name). */
  readonly name: string;
  /** The example stack in stacks/ the plan starts from. */
  readonly stack: string;
  /** The edit, made to the stack file's `stepwise:plan`. */
  readonly edit: (plan: PlanData) => void;
  /** Where `check` reports the problem, relative to the plan (e.g. `workloads.fop-gate.env.A=B`). */
  readonly keyPath: string;
  /** How the objects the API server judges are rendered. */
  readonly rendered: RenderedAs;
  /** What the API server answers about them. */
  readonly server: RegExp;
  /**
   * Applied for real, not as a dry run: a node port is taken only by a stored Service (the test
   * deletes them after).
   */
  readonly stored?: boolean;
}

const AS_READ = { asRead: true } as const;
const LONG_CLASS_NAME = `${'c'.repeat(127)}.${'c'.repeat(126)}`;
const SEVENTEEN_HOSTS = Array.from({ length: 17 }, (_, i) => `h${i}.example.com`);
const SEVENTEEN_TRACKS = Array.from({ length: 17 }, (_, i) => (i === 0 ? 'stable' : `canary${i}`));

/** checkout-gateway's plan with a workload per track in `tracks` (the first is checkout, the stable track). */
function withTracks(plan: PlanData, tracks: readonly string[]): void {
  const [stable, canary] = ['checkout', 'checkout-canary'].map((name) => plan.workloads[name]);
  plan.workloads = Object.fromEntries(
    tracks.map((track, i) => [
      i === 0 ? 'checkout' : `checkout-${track}`,
      { ...(i === 0 ? stable : canary), labels: { app: 'checkout', track } },
    ]),
  );
  for (const stage of plan.stages) {
    const [stableSpec, canarySpec] = ['checkout', 'checkout-canary'].map((name) => stage.workloads[name]);
    stage.workloads = Object.fromEntries(
      tracks.map((track, i) => [i === 0 ? 'checkout' : `checkout-${track}`, i === 0 ? stableSpec : canarySpec]),
    );
    if (stage.traffic) stage.traffic = { canary1: stage.traffic.canary };
  }
}

/** `plan` with workload `name` edited. */
function withWorkload(name: string, edit: (workload: Workload) => Workload): (plan: Plan) => Plan {
  return (plan) => ({ ...plan, workloads: plan.workloads.map((w) => (w.name === name ? edit(w) : w)) });
}

/** A security override with nothing relaxed but what `overrides` says. */
function overrides(relaxed: Partial<SecurityOverrides>): SecurityOverrides {
  return {
    reason: 'the differential test',
    runAsRoot: false,
    writableRootFilesystem: false,
    addCapabilities: [],
    hostPath: false,
    ...relaxed,
  };
}

/** The router settings of a plan routed by ingress-nginx or gateway-api. */
const ingress = (routing: WeightedRouting) => routing.ingressNginx as NonNullable<WeightedRouting['ingressNginx']>;
const gateway = (routing: WeightedRouting) => routing.gatewayApi as NonNullable<WeightedRouting['gatewayApi']>;

const container = 'spec\\.template\\.spec\\.containers\\[0\\]';

/** Every hand-written refused plan. */
export const REFUSED_PLANS: readonly RefusedPlan[] = [
  // The rules of lib/model/api-server-rules.ts (issue #15).
  {
    name: 'two Services on one node port',
    stack: 'web-nginx',
    edit: (plan) => {
      plan.services['nginx-svc'].ports[0].nodePort = 32001;
      plan.services['nginx-admin'] = { type: 'NodePort', selector: { name: 'nginx' }, ports: [{ port: 8080, nodePort: 32001 }] };
    },
    keyPath: 'services.nginx-admin.ports[0].nodePort',
    rendered: AS_READ,
    server: /Service "nginx-admin" is invalid: spec\.ports\[0\]\.nodePort: Invalid value: 32001: provided port is already allocated/,
    stored: true,
  },
  {
    name: 'one node port twice in one Service for one protocol',
    stack: 'web-nginx',
    edit: (plan) => {
      plan.services['nginx-svc'].ports = [
        { name: 'http', port: 80, nodePort: 31180 },
        { name: 'alt', port: 8080, nodePort: 31180 },
      ];
    },
    keyPath: 'services.nginx-svc.ports[1].nodePort',
    rendered: AS_READ,
    // The node port allocator, which runs before validation, finds the port taken by ports[0].
    server: /Service "nginx-svc" is invalid: spec\.ports\[1\]\.nodePort: (Duplicate value|Invalid value): 31180/,
  },
  {
    name: 'two ports of a Service on one port number and protocol',
    stack: 'fop-gate',
    edit: (plan) => {
      plan.services['fop-gate'].ports = [
        { name: 'http', port: 80, targetPort: 8080 },
        { name: 'admin', port: 80, targetPort: 8081 },
      ];
    },
    keyPath: 'services.fop-gate.ports[1].port',
    rendered: AS_READ,
    // Server-side apply merges Service ports by number and protocol, so it names the repeated key.
    server: /\(refused-\d+\/fop-gate; \/v1, Kind=Service\): \.spec\.ports: duplicate entries for key \[port=80,protocol="TCP"\]/,
  },
  {
    name: 'two ports of a Service with one name',
    stack: 'fop-gate',
    edit: (plan) => {
      plan.services['fop-gate'].ports = [
        { name: 'http', port: 80, targetPort: 8080 },
        { name: 'http', port: 81, targetPort: 8080 },
      ];
    },
    keyPath: 'services.fop-gate.ports[1].name',
    rendered: AS_READ,
    server: /Service "fop-gate" is invalid: spec\.ports\[1\]\.name: Duplicate value: "http"/,
  },
  {
    name: 'a Service port name that is not a DNS label',
    stack: 'fop-gate',
    edit: (plan) => (plan.services['fop-gate'].ports[0].name = 'HTTP'),
    keyPath: 'services.fop-gate.ports[0].name',
    rendered: AS_READ,
    server: /spec\.ports\[0\]\.name: Invalid value: "HTTP"/,
  },
  {
    name: 'a CPU request above its limit',
    stack: 'fop-gate',
    edit: (plan) => (plan.defaults.resources = { requests: { cpu: '1500m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } }),
    keyPath: 'workloads.fop-gate.resources.requests.cpu',
    rendered: AS_READ,
    server: new RegExp(`${container}\\.resources\\.requests: Invalid value: "1500m": must be less than or equal to cpu limit of 1`),
  },
  {
    name: 'a memory request above its limit',
    stack: 'fop-gate',
    edit: (plan) => (plan.defaults.resources = { requests: { cpu: '500m', memory: '2Gi' }, limits: { memory: '1Gi' } }),
    keyPath: 'workloads.fop-gate.resources.requests.memory',
    rendered: AS_READ,
    server: new RegExp(`${container}\\.resources\\.requests: Invalid value: "2Gi": must be less than or equal to memory limit of 1Gi`),
  },
  {
    name: "an environment variable name with '='",
    stack: 'fop-gate',
    edit: (plan) => (plan.defaults.env = { 'JAVA=OPTS': '-Xmx1g' }),
    keyPath: 'workloads.fop-gate.env.JAVA=OPTS',
    rendered: AS_READ,
    server: new RegExp(`${container}\\.env\\[0\\]\\.name: Invalid value: "JAVA=OPTS"`),
  },
  {
    name: 'two volumes mounted at one path',
    stack: 'fop-gate',
    edit: (plan) => plan.defaults.volumes.push({ name: 'scratch', mountPath: '/tmp', emptyDir: {} }),
    keyPath: 'workloads.fop-gate.volumes[1].mountPath',
    rendered: AS_READ,
    // Server-side apply merges volume mounts by path, so it names the repeated key.
    server:
      /Kind=Deployment\): \.spec\.template\.spec\.containers\[name="fop-gate"\]\.volumeMounts: duplicate entries for key \[mountPath="\/tmp"\]/,
  },
  {
    name: 'an annotation key that is not a qualified name',
    stack: 'fop-gate',
    edit: (plan) => (plan.defaults.podAnnotations = { 'owner team': 'payments' }),
    keyPath: 'workloads.fop-gate.podAnnotations.owner team',
    rendered: AS_READ,
    server: /Deployment\.apps "fop-gate" is invalid: spec\.template\.annotations: Invalid value: "owner team"/,
  },
  {
    name: 'two container ports with one name',
    stack: 'fop-gate',
    edit: (plan) => {
      plan.defaults.ports = [
        { name: 'http', containerPort: 8080 },
        { name: 'http', containerPort: 8081 },
      ];
    },
    keyPath: 'workloads.fop-gate.ports[1].name',
    rendered: AS_READ,
    server: new RegExp(`${container}\\.ports\\[1\\]\\.name: Duplicate value: "http"`),
  },
  {
    name: 'two container ports with one number and protocol',
    stack: 'fop-gate',
    edit: (plan) => {
      plan.defaults.ports = [
        { name: 'http', containerPort: 8080 },
        { name: 'admin', containerPort: 8080 },
      ];
    },
    keyPath: 'workloads.fop-gate.ports[1]',
    rendered: AS_READ,
    // Server-side apply merges container ports by number and protocol, so it names the repeated key.
    server: /duplicate entries for key \[containerPort=8080,protocol="TCP"\]/,
  },
  {
    name: "a container port name with '--'",
    stack: 'fop-gate',
    edit: (plan) => (plan.defaults.ports = [{ name: 'web--http', containerPort: 8080 }]),
    keyPath: 'workloads.fop-gate.ports[0].name',
    rendered: { plan: withWorkload('fop-gate', (w) => ({ ...w, ports: [{ name: 'web--http', containerPort: 8080, protocol: 'TCP' }] })) },
    server: new RegExp(`${container}\\.ports\\[0\\]\\.name: Invalid value: "web--http"`),
  },

  // The holes the differential test found (issue #13).
  {
    name: 'a TCP and a UDP port of different numbers on one node port',
    stack: 'web-nginx',
    edit: (plan) => {
      plan.services['nginx-svc'].ports = [
        { name: 'http', port: 80, nodePort: 31180 },
        { name: 'quic', port: 443, protocol: 'UDP', nodePort: 31180 },
      ];
    },
    keyPath: 'services.nginx-svc.ports[1].nodePort',
    rendered: AS_READ,
    server: /Service "nginx-svc" is invalid: spec\.ports\[1\]\.nodePort: Invalid value: 31180: provided port is already allocated/,
  },
  {
    name: 'a node port asked again by a port whose number already has another one',
    stack: 'web-nginx',
    edit: (plan) => {
      plan.services['nginx-svc'].ports = [
        { name: 'dns', port: 8080, protocol: 'UDP', nodePort: 30000 },
        { name: 'sctp', port: 8080, protocol: 'SCTP', nodePort: 31000 },
        { name: 'http', port: 8080, nodePort: 31000 },
      ];
    },
    keyPath: 'services.nginx-svc.ports[2].nodePort',
    rendered: AS_READ,
    server: /Service "nginx-svc" is invalid: spec\.ports\[2\]\.nodePort: Invalid value: 31000: provided port is already allocated/,
  },
  {
    name: 'a Service name that starts with a digit',
    stack: 'fop-gate',
    edit: (plan) => {
      plan.services['9fop-gate'] = plan.services['fop-gate'];
      delete plan.services['fop-gate'];
    },
    keyPath: 'services.9fop-gate',
    rendered: {
      plan: (plan) => ({
        ...plan,
        services: plan.services.map((s) => ({ ...s, name: `9${s.name}` })),
        stages: plan.stages.map((stage) => ({
          ...stage,
          serviceSelectors: Object.fromEntries(Object.entries(stage.serviceSelectors).map(([name, selector]) => [`9${name}`, selector])),
        })),
      }),
    },
    server: /Service "9fop-gate" is invalid: metadata\.name: Invalid value: "9fop-gate": a DNS-1035 label/,
  },
  {
    name: 'a memory amount of 22 digits, which JavaScript writes as 1e+21',
    stack: 'fop-gate',
    edit: (plan) => (plan.workloads['fop-gate'].resources = { requests: { cpu: '500m', memory: `1${'0'.repeat(21)}Mi` } }),
    keyPath: 'workloads.fop-gate.resources.requests.memory',
    rendered: {
      plan: withWorkload('fop-gate', (w) => ({
        ...w,
        resources: { requests: { cpu: '500m', memory: `1${'0'.repeat(21)}Mi` }, limits: {} },
      })),
    },
    server: /Deployment\.apps "fop-gate" .*1e\+21Mi|quantities must match the regular expression/,
  },
  {
    name: "a hostPath path with a '..' element",
    stack: 'fop-gate',
    edit: (plan) => {
      plan.workloads['fop-gate'].securityOverrides = { reason: 'reads node logs', hostPath: true };
      plan.workloads['fop-gate'].volumes = [{ name: 'logs', mountPath: '/logs', hostPath: { path: '/var/log/../../etc' } }];
    },
    keyPath: 'workloads.fop-gate.volumes[0].hostPath.path',
    rendered: {
      plan: withWorkload('fop-gate', (w) => ({
        ...w,
        securityOverrides: overrides({ hostPath: true }),
        volumes: [{ name: 'logs', mountPath: '/logs', readOnly: false, source: { hostPath: { path: '/var/log/../../etc' } } }],
      })),
    },
    server: /spec\.template\.spec\.volumes\[0\]\.hostPath\.path: Invalid value: "\/var\/log\/\.\.\/\.\.\/etc": must not contain '\.\.'/,
  },
  {
    name: 'a liveness probe that asks for two successes',
    stack: 'fop-gate',
    edit: (plan) => (plan.workloads['fop-gate'].livenessProbe = { tcpSocket: { port: 8080 }, successThreshold: 2 }),
    keyPath: 'workloads.fop-gate.livenessProbe.successThreshold',
    rendered: { plan: withWorkload('fop-gate', (w) => ({ ...w, livenessProbe: { tcpSocket: { port: 8080 }, successThreshold: 2 } })) },
    server: new RegExp(`${container}\\.livenessProbe\\.successThreshold: Invalid value: 2: must be 1`),
  },
  {
    name: 'a startup probe that asks for three successes',
    stack: 'fop-gate',
    edit: (plan) => (plan.workloads['fop-gate'].startupProbe = { tcpSocket: { port: 8080 }, successThreshold: 3 }),
    keyPath: 'workloads.fop-gate.startupProbe.successThreshold',
    rendered: { plan: withWorkload('fop-gate', (w) => ({ ...w, startupProbe: { tcpSocket: { port: 8080 }, successThreshold: 3 } })) },
    server: new RegExp(`${container}\\.startupProbe\\.successThreshold: Invalid value: 3: must be 1`),
  },
  {
    name: 'an exec readiness probe with an empty command',
    stack: 'fop-gate',
    edit: (plan) => (plan.workloads['fop-gate'].readinessProbe = { exec: { command: [] } }),
    keyPath: 'workloads.fop-gate.readinessProbe.exec.command',
    rendered: { plan: withWorkload('fop-gate', (w) => ({ ...w, readinessProbe: { exec: { command: [] } } })) },
    server: new RegExp(`${container}\\.readinessProbe\\.exec\\.command: Required value`),
  },
  {
    name: 'a preStop hook with an empty command',
    stack: 'fop-gate',
    edit: (plan) => (plan.workloads['fop-gate'].preStop = { exec: { command: [] } }),
    keyPath: 'workloads.fop-gate.preStop.exec.command',
    rendered: { plan: withWorkload('fop-gate', (w) => ({ ...w, preStop: { exec: { command: [] } } })) },
    server: new RegExp(`${container}\\.lifecycle\\.preStop\\.exec\\.command: Required value`),
  },
  {
    name: 'a Deployment selector expression on a key that is not a label key',
    stack: 'fop-gate',
    edit: (plan) => {
      plan.workloads['fop-gate'].selector = {
        matchLabels: { app: 'fop-gate', track: 'stable' },
        matchExpressions: [{ key: 'Bad Key', operator: 'DoesNotExist' }],
      };
    },
    keyPath: 'workloads.fop-gate.selector.matchExpressions[0].key',
    rendered: {
      plan: withWorkload('fop-gate', (w) => ({
        ...w,
        selector: { ...w.selector, matchExpressions: [{ key: 'Bad Key', operator: 'DoesNotExist', values: [] }] },
      })),
    },
    server: /spec\.selector\.matchExpressions\[0\]\.key: Invalid value: "Bad Key"/,
  },
  {
    name: 'a Deployment selector expression with a value that is not a label value',
    stack: 'fop-gate',
    edit: (plan) => {
      plan.workloads['fop-gate'].selector = {
        matchLabels: { app: 'fop-gate' },
        matchExpressions: [{ key: 'track', operator: 'In', values: ['stable', 'bad value'] }],
      };
    },
    keyPath: 'workloads.fop-gate.selector.matchExpressions[0].values[1]',
    rendered: {
      plan: withWorkload('fop-gate', (w) => ({
        ...w,
        selector: {
          matchLabels: { app: 'fop-gate' },
          matchExpressions: [{ key: 'track', operator: 'In', values: ['stable', 'bad value'] }],
        },
      })),
    },
    server: /spec\.selector\.matchExpressions\[0\]\.values\[1\]: Invalid value: "bad value"/,
  },
  {
    name: 'a runAsUser above 2147483647',
    stack: 'fop-gate',
    edit: (plan) => (plan.workloads['fop-gate'].securityOverrides = { reason: 'legacy image', runAsUser: 2147483648 }),
    keyPath: 'workloads.fop-gate.securityOverrides.runAsUser',
    rendered: { plan: withWorkload('fop-gate', (w) => ({ ...w, securityOverrides: overrides({ runAsUser: 2147483648 }) })) },
    server: new RegExp(`${container}\\.securityContext\\.runAsUser: Invalid value: 2147483648: must be between 0 and 2147483647`),
  },
  {
    name: "an ingress-nginx path with '/./'",
    stack: 'search-nginx',
    edit: (plan) => (plan.traffic.path = '/a/./b'),
    keyPath: 'traffic.path',
    rendered: { router: (routing) => ({ ...routing, ingressNginx: { ...ingress(routing), path: '/a/./b' } }) },
    server:
      /Ingress\.networking\.k8s\.io "search" is invalid: spec\.rules\[0\]\.http\.paths\[0\]\.path: Invalid value: "\/a\/\.\/b": must not contain '\/\.\/'/,
  },
  {
    name: 'an IP address as the ingress-nginx host',
    stack: 'search-nginx',
    edit: (plan) => (plan.traffic.host = '10.0.0.1'),
    keyPath: 'traffic.host',
    rendered: { router: (routing) => ({ ...routing, ingressNginx: { ...ingress(routing), host: '10.0.0.1' } }) },
    server: /spec\.rules\[0\]\.host: Invalid value: "10\.0\.0\.1": must be a DNS name, not an IP address/,
  },
  {
    name: 'an ingressClassName longer than 253 characters',
    stack: 'search-nginx',
    edit: (plan) => (plan.traffic.ingressClassName = LONG_CLASS_NAME),
    keyPath: 'traffic.ingressClassName',
    rendered: { router: (routing) => ({ ...routing, ingressNginx: { ...ingress(routing), ingressClassName: LONG_CLASS_NAME } }) },
    server:
      /Ingress\.networking\.k8s\.io "search" is invalid: spec\.ingressClassName: Invalid value: "c+\.c+": must be no more than 253 characters/,
  },
  {
    name: 'a gateway-api path longer than 1024 characters',
    stack: 'checkout-gateway',
    edit: (plan) => (plan.traffic.path = `/${'p'.repeat(1024)}`),
    keyPath: 'traffic.path',
    rendered: { router: (routing) => ({ ...routing, gatewayApi: { ...gateway(routing), path: `/${'p'.repeat(1024)}` } }) },
    server: /HTTPRoute "checkout" is invalid:[\s\S]*spec\.rules\[0\]\.matches\[0\]\.path\.value: Too long: may not be more than 1024/,
  },
  {
    name: 'a gateway-api path with a character a URL path does not hold',
    stack: 'checkout-gateway',
    edit: (plan) => (plan.traffic.path = '/a?b'),
    keyPath: 'traffic.path',
    rendered: { router: (routing) => ({ ...routing, gatewayApi: { ...gateway(routing), path: '/a?b' } }) },
    server:
      /HTTPRoute "checkout" is invalid: spec\.rules\[0\]\.matches\[0\]\.path: Invalid value: "object": must only contain valid characters/,
  },
  {
    name: 'more than 16 gateway-api host names',
    stack: 'checkout-gateway',
    edit: (plan) => (plan.traffic.hostnames = SEVENTEEN_HOSTS),
    keyPath: 'traffic.hostnames',
    rendered: { router: (routing) => ({ ...routing, gatewayApi: { ...gateway(routing), hostnames: SEVENTEEN_HOSTS } }) },
    server: /spec\.hostnames: Too many: 17: must have at most 16 items/,
  },
  {
    name: 'a gateway-api listener name longer than 253 characters',
    stack: 'checkout-gateway',
    edit: (plan) => (plan.traffic.parentRefs[0].sectionName = 'l'.repeat(254)),
    keyPath: 'traffic.parentRefs[0].sectionName',
    rendered: {
      router: (routing) => ({
        ...routing,
        gatewayApi: { ...gateway(routing), parentRefs: [{ ...gateway(routing).parentRefs[0], sectionName: 'l'.repeat(254) }] },
      }),
    },
    server: /spec\.parentRefs\[0\]\.sectionName: Too long/,
  },
  {
    name: 'more than 16 gateway-api tracks (an HTTPRoute rule holds 16 backendRefs)',
    stack: 'checkout-gateway',
    edit: (plan) => withTracks(plan, SEVENTEEN_TRACKS),
    keyPath: 'traffic.trackLabel',
    rendered: {
      router: (routing) => ({
        ...routing,
        tracks: SEVENTEEN_TRACKS.map((name) => ({ name, workloads: [], serviceName: `checkout-${name}` })),
      }),
    },
    server: /spec\.rules\[0\]\.backendRefs: Too many: 17: must have at most 16 items/,
  },
];

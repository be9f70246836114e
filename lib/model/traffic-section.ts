/**
 * Reading the `traffic` section of a plan and the `traffic` weights of its stages into the plan's
 * {@link TrafficRouting}. Part of parsing a plan (`parsePlan` calls it once); pure data and
 * validation, no cdk8s.
 */
import type { z } from 'zod';
import { parentRefSchema, trafficSchema } from '../schema/traffic-schema';
import { joinKeyPath } from './errors';
import { labelKeyProblem, labelsMatch, objectNameProblem, serviceNameProblem } from './labels';
import { PlainDataReader, describe, hasOwnKey } from './plain-data';
import { parseWithSchema, nonEmptyString, problemWording, unwrapped } from './schema-problems';
import type { PlanCore } from './plan';
import type { ReleaseService, ServicePort } from './release-service';
import {
  TRAFFIC_DEFAULTS,
  type GatewayApiSettings,
  type GatewayParentRef,
  type IngressNginxSettings,
  type ReplicaRouting,
  type Track,
  type TrafficRouting,
  type WeightedRouter,
} from './traffic-routing';

const COMMON_KEYS = ['router', 'service', 'port', 'trackLabel', 'stableTrack'];
const ROUTER_KEYS: Record<WeightedRouter, readonly string[]> = {
  'ingress-nginx': ['host', 'path', 'ingressClassName', 'canaryByHeader'],
  'gateway-api': ['parentRefs', 'hostnames', 'path', 'waitForAccepted'],
  smi: [],
};
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** The Gateway API's limit on backendRefs in one HTTPRoute rule (HTTPRouteRule.backendRefs, maxItems). */
const MAX_HTTP_ROUTE_BACKENDS = 16;
const HTTP_HEADER = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const SECTION_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Reads a plan's `traffic` section (`data`) and its stages' `traffic` weights (`stageTraffic`, by
 * stage index) against the rest of the plan. Every problem goes to `r`, with key paths relative
 * to the plan (`traffic.router`, `stages[1].traffic.canary`) and a fix; undefined when any.
 */
export function readTrafficSection(
  r: PlainDataReader,
  plan: PlanCore,
  data: unknown,
  stageTraffic: readonly unknown[],
): TrafficRouting | undefined {
  const errorsBefore = r.errors.length;
  const routing = readTraffic(r, plan, data, stageTraffic);
  return r.errors.length > errorsBefore ? undefined : routing;
}

/** The section as written, its shape already checked. */
type TrafficData = z.output<typeof trafficSchema>;

function readTraffic(r: PlainDataReader, plan: PlanCore, data: unknown, stageTraffic: readonly unknown[]): TrafficRouting | undefined {
  const parsed = parseWithSchema(trafficSchema.optional(), data, 'traffic');
  if ('problems' in parsed) {
    r.reportAll(parsed.problems);
    return undefined;
  }
  const section: TrafficData = parsed.value ?? {};
  const router = section.router ?? TRAFFIC_DEFAULTS.router;
  if (router === 'replicas') return readReplicaRouting(r, section, stageTraffic);

  for (const key of Object.keys(section)) {
    if (!COMMON_KEYS.includes(key) && !ROUTER_KEYS[router].includes(key)) {
      // The schema let only known keys through, so some router owns this one.
      const owners = (Object.keys(ROUTER_KEYS) as WeightedRouter[]).filter((k) => ROUTER_KEYS[k].includes(key));
      r.report(`traffic.${key}`, `only applies to router ${owners.join(' or ')}, not ${router}`, `remove it, or set router: ${owners[0]}`);
    }
  }
  const service = readService(r, plan, section.service);
  const port = service && readPort(r, service, section.port);
  const trackLabel = readTrackLabel(r, section.trackLabel);
  const stableTrack = section.stableTrack ?? TRAFFIC_DEFAULTS.stableTrack;
  const tracks = service && trackLabel ? readTracks(r, plan, router, service, trackLabel, stableTrack) : undefined;
  const stageWeights = tracks ? readStageWeights(r, stageTraffic, tracks, stableTrack) : undefined;
  const ingressNginx = router === 'ingress-nginx' ? readIngressNginx(r, section) : undefined;
  const gatewayApi = router === 'gateway-api' ? readGatewayApi(r, section) : undefined;
  if (!service || !port || !trackLabel || !tracks || !stageWeights) return undefined;
  if (router === 'ingress-nginx' && !ingressNginx) return undefined;
  if (router === 'gateway-api' && !gatewayApi) return undefined;
  return {
    router,
    service,
    port,
    trackLabel,
    stableTrack,
    tracks,
    stageWeights,
    ...(ingressNginx ? { ingressNginx } : {}),
    ...(gatewayApi ? { gatewayApi } : {}),
  };
}

/** `replicas` takes no settings, and no stage may carry a weight: nothing would apply it. */
function readReplicaRouting(r: PlainDataReader, section: TrafficData, stageTraffic: readonly unknown[]): ReplicaRouting {
  // The schema let only known keys through; every one but router belongs to a weighted router.
  for (const key of Object.keys(section)) {
    if (key !== 'router') {
      r.report(
        `traffic.${key}`,
        'only applies to a weighted router; router replicas takes no settings',
        'remove it, or set router: gateway-api',
      );
    }
  }
  stageTraffic.forEach((weights, i) => {
    if (weights !== undefined) {
      r.report(
        `stages[${i}].traffic`,
        'sets traffic weights, but the plan routes by replicas (each workload gets its share of ready pods)',
        'set traffic.router to gateway-api, ingress-nginx or smi, or remove the stage weights',
      );
    }
  });
  return { router: 'replicas' };
}

function readService(r: PlainDataReader, plan: PlanCore, value: string | undefined): ReleaseService | undefined {
  const names = plan.services.map((s) => s.name);
  if (value === undefined) {
    if (plan.services.length === 1) return plan.services[0];
    r.report(
      'traffic.service',
      `is missing, and the plan has ${names.length} Services`,
      `name the Service to split: one of ${names.join(', ')}`,
    );
    return undefined;
  }
  const name = r.oneOf(value, 'traffic.service', names);
  return plan.services.find((s) => s.name === name);
}

function readPort(r: PlainDataReader, service: ReleaseService, value: string | number | undefined): ServicePort | undefined {
  if (value === undefined) return service.ports[0];
  const port = service.ports.find((p) => p.name === value || p.port === value);
  if (!port) {
    const known = service.ports.map((p) => p.name ?? String(p.port));
    r.report('traffic.port', `is not a port of Service '${service.name}', got ${describe(value)}`, `use one of: ${known.join(', ')}`);
  }
  return port;
}

function readTrackLabel(r: PlainDataReader, value: string | undefined): string | undefined {
  const label = value ?? TRAFFIC_DEFAULTS.trackLabel;
  const problem = label === undefined ? undefined : labelKeyProblem(label);
  if (problem) {
    r.report('traffic.trackLabel', problem, 'use the pod label that tells the tracks apart, e.g. track or version');
    return undefined;
  }
  return label;
}

/**
 * The tracks are the values the track label takes on the workloads the routed Service selects.
 * Each gets a per-track Service selecting the Service's own selector plus the track label.
 */
function readTracks(
  r: PlainDataReader,
  plan: PlanCore,
  router: WeightedRouter,
  service: ReleaseService,
  trackLabel: string,
  stableTrack: string,
): Track[] | undefined {
  const members = new Map<string, string[]>();
  let ok = true;
  for (const workload of plan.workloads) {
    if (!labelsMatch(service.selector, workload.labels)) continue;
    const track = hasOwnKey(workload.labels, trackLabel) ? workload.labels[trackLabel] : undefined;
    if (track === undefined || track === '') {
      r.report(
        `workloads.${workload.name}.labels`,
        `has no '${trackLabel}' label, so the ${router} router sends workload '${workload.name}' no traffic`,
        `add ${trackLabel}: <track> (e.g. ${trackLabel}: ${stableTrack}), or set traffic.trackLabel to the label that tells the tracks apart`,
      );
      ok = false;
      continue;
    }
    members.set(track, [...(members.get(track) ?? []), workload.name]);
  }
  if (!ok) return undefined;
  const names = [...members.keys()];
  if (!members.has(stableTrack)) {
    r.report(
      'traffic.stableTrack',
      `'${stableTrack}' is not a track: no workload of Service '${service.name}' has ${trackLabel}: ${stableTrack}`,
      names.length ? `use one of: ${names.join(', ')}` : `label the workloads with ${trackLabel}`,
    );
    return undefined;
  }
  if (names.length < 2) {
    r.report(
      'traffic.trackLabel',
      `the workloads of Service '${service.name}' form ${names.length} track (${names.join(', ')}), so there is nothing to weigh`,
      `give the canary workload its own ${trackLabel} value (e.g. ${trackLabel}: canary)`,
    );
    return undefined;
  }
  // The HTTPRoute CRD holds at most 16 backendRefs in a rule, and stepwise renders one per track.
  if (router === 'gateway-api' && names.length > MAX_HTTP_ROUTE_BACKENDS) {
    r.report(
      'traffic.trackLabel',
      `the workloads of Service '${service.name}' form ${names.length} tracks, and an HTTPRoute rule holds at most ${MAX_HTTP_ROUTE_BACKENDS} backendRefs (one per track)`,
      `give at most ${MAX_HTTP_ROUTE_BACKENDS} distinct ${trackLabel} values to the workloads of Service '${service.name}' (workloads may share a track)`,
    );
    return undefined;
  }
  if (router === 'ingress-nginx' && names.length !== 2) {
    r.report(
      'traffic.router',
      `ingress-nginx splits between two tracks (a main and a canary Ingress), got ${names.length}: ${names.join(', ')}`,
      'use router gateway-api or smi for more than two tracks',
    );
    return undefined;
  }
  const ordered = [stableTrack, ...names.filter((n) => n !== stableTrack)];
  const tracks = ordered.map((name) => ({ name, workloads: members.get(name) as string[], serviceName: `${service.name}-${name}` }));
  for (const track of tracks) {
    const problem = serviceNameProblem(track.serviceName);
    if (problem) {
      r.report(
        'traffic.trackLabel',
        `track '${track.name}' gives the per-track Service name ${problem}`,
        `use lowercase track values (letters, digits, '-') and a Service name short enough for '-${track.name}'`,
      );
      ok = false;
    }
    const taken = plan.services.find((s) => s.name === track.serviceName);
    if (taken) {
      r.report(
        `services.${taken.name}`,
        `has the name stepwise gives the per-track Service of track '${track.name}' (<service>-<track>)`,
        'rename this Service, or the track',
      );
      ok = false;
    }
  }
  return ok ? tracks : undefined;
}

function readStageWeights(
  r: PlainDataReader,
  stageTraffic: readonly unknown[],
  tracks: readonly Track[],
  stableTrack: string,
): Record<string, number>[] | undefined {
  const trackNames = tracks.map((t) => t.name);
  const result: Record<string, number>[] = [];
  let ok = true;
  stageTraffic.forEach((data, i) => {
    const at = `stages[${i}].traffic`;
    const weights: Record<string, number> = Object.fromEntries(trackNames.map((t) => [t, 0]));
    if (data === undefined) {
      weights[stableTrack] = 100;
      result.push(weights);
      return;
    }
    const given = r.object(data, at);
    if (!given) {
      ok = false;
      return;
    }
    let valid = true;
    for (const key of Object.keys(given)) {
      if (!trackNames.includes(key)) {
        r.report(joinKeyPath(at, key), `'${key}' is not a track of this plan`, `use one of: ${trackNames.join(', ')}`);
        valid = false;
        continue;
      }
      const weight = readWeight(r, given[key], joinKeyPath(at, key));
      if (weight === undefined) valid = false;
      else weights[key] = weight;
    }
    if (!valid) {
      ok = false;
      return;
    }
    const others = trackNames.filter((t) => t !== stableTrack).reduce((sum, t) => sum + weights[t], 0);
    if (!hasOwnKey(given, stableTrack) || given[stableTrack] === undefined) {
      if (others > 100) {
        r.report(
          at,
          `sends ${others}% to tracks other than '${stableTrack}'; at most 100% can be sent`,
          'lower the weights so they add up to 100 or less',
        );
        ok = false;
        return;
      }
      weights[stableTrack] = 100 - others;
    } else if (others + weights[stableTrack] !== 100) {
      r.report(
        at,
        `weights add up to ${others + weights[stableTrack]}%, not 100%`,
        `make them add up to 100, or leave '${stableTrack}' out so it gets the rest`,
      );
      ok = false;
      return;
    }
    result.push(weights);
  });
  return ok ? result : undefined;
}

function readWeight(r: PlainDataReader, value: unknown, keyPath: string): number | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 100) {
    r.report(keyPath, `must be a whole percent from 0 to 100, got ${describe(value)}`, 'e.g. 5 for 5% of requests');
    return undefined;
  }
  return value;
}

/** The characters the Gateway API HTTPRoute CRD allows in an Exact or PathPrefix value (its CEL rule). */
const HTTP_ROUTE_PATH_CHARACTERS = /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})+$/;

/**
 * What a path prefix may not hold: the API server refuses them in an Ingress path of type Prefix,
 * and the Gateway API's HTTPRoute CRD in a PathPrefix match (they would let a request climb out of
 * the prefix, or hide a `/` from the router).
 */
const PATH_SEQUENCES_REFUSED = ['//', '/./', '/../', '%2f', '%2F'];
const PATH_ENDINGS_REFUSED = ['/..', '/.'];

function readPath(r: PlainDataReader, value: string | undefined, keyPath: string): string | undefined {
  const path = value ?? TRAFFIC_DEFAULTS.path;
  if (!path.startsWith('/') || /\s/.test(path)) {
    r.report(keyPath, `must be an absolute URL path without spaces, got ${describe(path)}`, 'e.g. / or /api');
    return undefined;
  }
  const sequence = PATH_SEQUENCES_REFUSED.find((s) => path.includes(s));
  const ending = PATH_ENDINGS_REFUSED.find((e) => path.endsWith(e));
  if (sequence !== undefined || ending !== undefined) {
    r.report(
      keyPath,
      `${sequence !== undefined ? `must not contain '${sequence}'` : `must not end with '${ending}'`}, got ${describe(path)}`,
      'write the path plainly, each segment once, e.g. /api/v1',
    );
    return undefined;
  }
  return path;
}

function readHost(r: PlainDataReader, value: string, keyPath: string): string | undefined {
  const host: string | undefined = value;
  if (host !== undefined && (host.length > 253 || !HOSTNAME.test(host))) {
    r.report(keyPath, `must be a lowercase DNS name (a leading '*.' is allowed), got ${describe(host)}`, 'e.g. shop.example.com');
    return undefined;
  }
  // The API server refuses an address as an Ingress host, and the Gateway API allows none in hostnames.
  if (host !== undefined && isIPv4Address(host)) {
    r.report(keyPath, `must be a DNS name, not an IP address, got ${describe(host)}`, 'route a host name, e.g. shop.example.com');
    return undefined;
  }
  return host;
}

/** Four dot-separated numbers from 0 to 255 (leading zeros allowed, as Kubernetes parses them). */
function isIPv4Address(host: string): boolean {
  const parts = host.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

function readIngressNginx(r: PlainDataReader, section: TrafficData): IngressNginxSettings | undefined {
  const host = section.host === undefined ? undefined : readHost(r, section.host, 'traffic.host');
  const path = readPath(r, section.path, 'traffic.path');
  const ingressClassName = section.ingressClassName ?? TRAFFIC_DEFAULTS.ingressClassName;
  if (ingressClassName !== undefined && (ingressClassName.length > 253 || !DNS_SUBDOMAIN.test(ingressClassName))) {
    r.report(
      'traffic.ingressClassName',
      `must be a lowercase DNS name of at most 253 characters, got ${describe(ingressClassName)}`,
      'e.g. nginx',
    );
    return undefined;
  }
  const canaryByHeader = section.canaryByHeader;
  if (canaryByHeader !== undefined && !HTTP_HEADER.test(canaryByHeader)) {
    r.report('traffic.canaryByHeader', `must be an HTTP header name, got ${describe(canaryByHeader)}`, 'e.g. X-Canary');
    return undefined;
  }
  if ((section.host !== undefined && host === undefined) || !path || !ingressClassName) return undefined;
  return { ...(host ? { host } : {}), path, ingressClassName, ...(canaryByHeader ? { canaryByHeader } : {}) };
}

function readGatewayApi(r: PlainDataReader, section: TrafficData): GatewayApiSettings | undefined {
  if (section.parentRefs === undefined) {
    r.report(
      'traffic.parentRefs',
      'is missing: an HTTPRoute must attach to a Gateway',
      'e.g. parentRefs: [{ name: public, namespace: gateway-system }]',
    );
    return undefined;
  }
  const items = section.parentRefs;
  const parentRefs: GatewayParentRef[] = [];
  items.forEach((item, i) => {
    const at = `traffic.parentRefs[${i}]`;
    const ref = item;
    const name = ref.name;
    if (name !== undefined && (name.length > 253 || !DNS_SUBDOMAIN.test(name))) {
      r.report(`${at}.name`, `must be a lowercase DNS name, got ${describe(name)}`, 'e.g. public');
      return;
    }
    const namespace = ref.namespace;
    if (namespace !== undefined && objectNameProblem(namespace)) {
      r.report(`${at}.namespace`, objectNameProblem(namespace) as string, 'e.g. gateway-system');
      return;
    }
    const sectionName = ref.sectionName;
    if (sectionName !== undefined && (sectionName.length > 253 || !SECTION_NAME.test(sectionName))) {
      r.report(
        `${at}.sectionName`,
        `must be a lowercase listener name of at most 253 characters, got ${describe(sectionName)}`,
        'e.g. https',
      );
      return;
    }
    const port = ref.port;
    parentRefs.push({ name, ...(namespace ? { namespace } : {}), ...(sectionName ? { sectionName } : {}), ...(port ? { port } : {}) });
  });
  // The HTTPRoute CRD's validation rules (CEL): references to one Gateway all name a listener
  // (sectionName) or none does, and no two name the same one.
  const seenParents = new Map<string, GatewayParentRef>();
  parentRefs.forEach((ref, i) => {
    const parent = `${ref.namespace ?? ''}/${ref.name}`;
    const earlier = seenParents.get(parent);
    seenParents.set(parent, earlier ?? ref);
    if (earlier === undefined) return;
    if ((earlier.sectionName === undefined) !== (ref.sectionName === undefined)) {
      r.report(
        `traffic.parentRefs[${i}]`,
        `refers to Gateway ${ref.name} again, so every reference to it needs a sectionName`,
        'name the listener of each reference, e.g. sectionName: https',
      );
    } else if (
      parentRefs.some((other, j) => j < i && `${other.namespace ?? ''}/${other.name}` === parent && other.sectionName === ref.sectionName)
    ) {
      r.report(
        `traffic.parentRefs[${i}]`,
        `refers to Gateway ${ref.name}${ref.sectionName ? ` listener ${ref.sectionName}` : ''} twice`,
        'list each Gateway listener once',
      );
    }
  });
  const hostnameItems = section.hostnames ?? [];
  if (hostnameItems && hostnameItems.length > 16) {
    r.report(
      'traffic.hostnames',
      `must list at most 16 host names (an HTTPRoute holds 16), got ${hostnameItems.length}`,
      'use a wildcard such as *.example.com, or split the hosts between plans',
    );
    return undefined;
  }
  const hostnames: string[] = [];
  hostnameItems?.forEach((item, i) => {
    const host = readHost(r, item, `traffic.hostnames[${i}]`);
    if (host !== undefined) hostnames.push(host);
  });
  const path = readPath(r, section.path, 'traffic.path');
  // The HTTPRoute CRD holds a path match value of at most 1024 characters.
  if (path !== undefined && path.length > 1024) {
    r.report('traffic.path', `must be at most 1024 characters for router gateway-api, got ${path.length}`, 'route a shorter prefix');
    return undefined;
  }
  // The HTTPRoute CRD's validation rule (CEL) on PathPrefix values: URL path characters, or %XX.
  if (path !== undefined && !HTTP_ROUTE_PATH_CHARACTERS.test(path)) {
    r.report(
      'traffic.path',
      `must hold only URL path characters (letters, digits, and - / . _ ~ ! $ & ' ( ) * + , ; = : @, or %XX) for router gateway-api, got ${describe(path)}`,
      'percent-encode any other character, e.g. %3F for ?',
    );
    return undefined;
  }
  if (parentRefs.length !== items.length || !hostnameItems || hostnames.length !== hostnameItems.length || !path) return undefined;
  return { parentRefs, hostnames, path, waitForAccepted: section.waitForAccepted ?? true };
}

// How the section's keys word a value of the wrong type: as every other stepwise problem, with the fix for this key.
const trafficShape = trafficSchema.shape;
problemWording.add(unwrapped(trafficShape.trackLabel), nonEmptyString('e.g. track'));
problemWording.add(unwrapped(trafficShape.host), nonEmptyString('e.g. shop.example.com'));
problemWording.add((unwrapped(trafficShape.hostnames) as z.ZodArray<z.ZodString>).element, nonEmptyString('e.g. shop.example.com'));
problemWording.add(unwrapped(trafficShape.path), nonEmptyString('e.g. /'));
problemWording.add(unwrapped(trafficShape.ingressClassName), nonEmptyString('e.g. nginx'));
problemWording.add(unwrapped(trafficShape.canaryByHeader), nonEmptyString('e.g. X-Canary'));
problemWording.add(unwrapped(parentRefSchema.shape.name), nonEmptyString('the Gateway name, e.g. public'));
problemWording.add(unwrapped(trafficShape.port), {
  problem: (value) => `must be the name or number of a port of the Service, got ${describe(value)}`,
  fix: 'e.g. http or 80',
});
problemWording.add(unwrapped(trafficShape.parentRefs), {
  problem: (value) => (Array.isArray(value) ? `must list 1 to 32 Gateways, got ${value.length}` : `must be a list, got ${describe(value)}`),
  fix: (value) => (Array.isArray(value) ? 'e.g. parentRefs: [{ name: public }]' : 'write it as `- item` lines'),
});

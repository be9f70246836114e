/**
 * What the Kubernetes API server rejects in the objects a plan renders that no single field shows
 * on its own: two ports or mounts where one is allowed, a request above its limit, names that are
 * not valid keys. Mirrors `pkg/apis/core/validation` (and the node port allocator), so that
 * `check`, `render` and `promote` refuse what `kubectl apply` or `pulumi up` would only refuse
 * later, half-way through a release. Returned as errors with key paths (relative to the plan), not
 * thrown, so callers report them with every other problem.
 */
import { StepwiseError, joinKeyPath } from './errors';
import { annotationKeyProblem, objectNameProblem } from './labels';
import type { Plan, ReleaseService, Workload } from './plan';
import { cpuMillicores, memoryMebibytes } from './quantities';

/** The most bytes of keys and values the annotations of one object may hold (the API server's `TotalAnnotationSizeLimitB`). */
export const ANNOTATIONS_MAX_BYTES = 256 * 1024;

/** Every problem of {@link podTemplateProblems} and {@link servicePortProblems} in `plan`, e.g. for a plan built in code. */
export function apiServerProblems(plan: Plan): StepwiseError[] {
  return [...plan.workloads.flatMap((workload) => podTemplateProblems(workload)), ...servicePortProblems(plan.services)];
}

/**
 * What the API server rejects in a workload's pod template: two container ports with one name,
 * or with one number and protocol; a resource request above its limit; an environment variable
 * name with `=` or characters other than printable ASCII; two volumes mounted at one path; an
 * annotation key that is not a qualified name, or annotations over 256 KiB. Key paths are under
 * `keyPath`, the workload's.
 */
export function podTemplateProblems(workload: Workload, keyPath = `workloads.${workload.name}`): StepwiseError[] {
  const problems: StepwiseError[] = [];
  const report = (at: string, problem: string, fix: string) =>
    problems.push(new StepwiseError({ keyPath: joinKeyPath(keyPath, at), problem, fix }));

  const portNames = new Map<string, number>();
  const portNumbers = new Map<string, number>();
  workload.ports.forEach((port, i) => {
    if (port.name !== undefined) {
      const earlier = portNames.get(port.name);
      if (earlier === undefined) portNames.set(port.name, i);
      else report(`ports[${i}].name`, `'${port.name}' is also the name of ports[${earlier}]`, 'give each container port its own name');
    }
    const key = `${port.containerPort}/${port.protocol}`;
    const earlier = portNumbers.get(key);
    // `ports[i]` itself, not `.containerPort`: a port may be written as a bare number.
    if (earlier === undefined) portNumbers.set(key, i);
    else report(`ports[${i}]`, `repeats port ${key} of ports[${earlier}]`, 'list each port once per protocol');
  });

  for (const resource of ['cpu', 'memory'] as const) {
    const request = workload.resources.requests[resource];
    const limit = workload.resources.limits[resource];
    if (request === undefined || limit === undefined) continue;
    const amount = resource === 'cpu' ? cpuMillicores : memoryMebibytes;
    if (amount(request) > amount(limit)) {
      report(
        `resources.requests.${resource}`,
        `${request} is more than the limit of ${limit} (resources.limits.${resource}); Kubernetes rejects a request above its limit`,
        `request at most ${limit}, or raise the limit`,
      );
    }
  }

  for (const name of Object.keys(workload.env)) {
    const problem = envNameProblem(name);
    if (problem) report(`env.${name}`, problem, 'rename the variable: the value goes after the colon, e.g. JAVA_OPTS: "-Xmx1g"');
  }

  const mountPaths = new Map<string, number>();
  workload.volumes.forEach((volume, i) => {
    const earlier = mountPaths.get(volume.mountPath);
    if (earlier === undefined) mountPaths.set(volume.mountPath, i);
    else
      report(
        `volumes[${i}].mountPath`,
        `'${volume.mountPath}' is also where volumes[${earlier}] is mounted`,
        'mount each volume at its own path',
      );
  });

  let annotationBytes = 0;
  for (const [key, value] of Object.entries(workload.podAnnotations)) {
    const problem = annotationKeyProblem(key);
    if (problem) report(`podAnnotations.${key}`, problem, 'use a key such as owner or example.com/owner');
    annotationBytes += utf8Length(key) + utf8Length(value);
  }
  if (annotationBytes > ANNOTATIONS_MAX_BYTES) {
    report(
      'podAnnotations',
      `hold ${annotationBytes} bytes of keys and values, more than the ${ANNOTATIONS_MAX_BYTES} (256 KiB) Kubernetes allows on one object`,
      'keep large values in a ConfigMap and put only its name in the annotation',
    );
  }
  return problems;
}

/**
 * What the API server rejects in a plan's Services: a port name that is not a DNS label; two ports
 * of one Service with one name, or with one port number and protocol, or with one node port and
 * protocol (a TCP and a UDP port may share a node port, and only when they have one port number:
 * the allocator gives each port number of a Service one node port); and two Services on one node
 * port, which the allocator hands out once per cluster whatever the protocol.
 */
export function servicePortProblems(services: readonly ReleaseService[]): StepwiseError[] {
  const problems: StepwiseError[] = [];
  const nodePortOwners = new Map<number, { readonly service: string; readonly index: number }>();
  for (const service of services) {
    const report = (at: string, problem: string, fix: string) =>
      problems.push(new StepwiseError({ keyPath: `services.${service.name}.${at}`, problem, fix }));
    const names = new Map<string, number>();
    const ports = new Map<string, number>();
    // The allocator, port by port: each port number's first node port, and which port took each node port.
    const nodePortOfNumber = new Map<number, { readonly nodePort: number; readonly index: number }>();
    const nodePortTakenBy = new Map<number, number>();
    service.ports.forEach((port, i) => {
      const nameProblem = port.name === undefined ? undefined : objectNameProblem(port.name);
      if (nameProblem) report(`ports[${i}].name`, nameProblem, 'name the port in lowercase, e.g. http');
      if (port.name !== undefined) {
        const earlier = names.get(port.name);
        if (earlier === undefined) names.set(port.name, i);
        else
          report(`ports[${i}].name`, `'${port.name}' is also the name of ports[${earlier}]`, 'give each port of the Service its own name');
      }
      const key = `${port.port}/${port.protocol}`;
      const earlier = ports.get(key);
      if (earlier === undefined) ports.set(key, i);
      else report(`ports[${i}].port`, `${key} is also ports[${earlier}]`, 'list each port once per protocol');
      if (port.nodePort === undefined) return;

      const sameProtocol = service.ports.findIndex((p, j) => j < i && p.nodePort === port.nodePort && p.protocol === port.protocol);
      const first = nodePortOfNumber.get(port.port);
      if (first === undefined) nodePortOfNumber.set(port.port, { nodePort: port.nodePort, index: i });
      // A port shares the node port its number got first; any other node port is allocated for it alone.
      const takenBy = first?.nodePort === port.nodePort ? undefined : nodePortTakenBy.get(port.nodePort);
      if (first?.nodePort !== port.nodePort && takenBy === undefined) nodePortTakenBy.set(port.nodePort, i);
      if (sameProtocol >= 0) {
        report(
          `ports[${i}].nodePort`,
          `${port.nodePort}/${port.protocol} is also the node port of ports[${sameProtocol}]`,
          'give each port its own nodePort (only ports of different protocols may share one), or leave nodePort out and let Kubernetes pick one',
        );
      } else if (takenBy !== undefined && first === undefined) {
        const other = service.ports[takenBy];
        report(
          `ports[${i}].nodePort`,
          `${port.nodePort} is also the node port of ports[${takenBy}], which has another port number (${other.port}, not ${port.port}); Kubernetes lets only ports of one number share a node port`,
          `give the port its own nodePort, or make it port ${other.port} like ports[${takenBy}]`,
        );
      } else if (takenBy !== undefined && first !== undefined) {
        report(
          `ports[${i}].nodePort`,
          `${port.nodePort} is also the node port of ports[${takenBy}]; port ${port.port} already has node port ${first.nodePort} (ports[${first.index}]), and Kubernetes allocates a node port once per Service unless it is the one its port number has`,
          `give the port node port ${first.nodePort} like ports[${first.index}], or a node port of its own`,
        );
      }
      const owner = nodePortOwners.get(port.nodePort);
      if (owner === undefined) nodePortOwners.set(port.nodePort, { service: service.name, index: i });
      else if (owner.service !== service.name) {
        report(
          `ports[${i}].nodePort`,
          `${port.nodePort} is also the node port of Service '${owner.service}' (services.${owner.service}.ports[${owner.index}].nodePort); node ports are allocated once per cluster, so Kubernetes rejects the second Service`,
          'give each Service its own nodePort, or leave nodePort out and let Kubernetes pick one',
        );
      }
    });
  }
  return problems;
}

/**
 * Why `name` cannot name an environment variable, or undefined. Kubernetes 1.30 relaxed the C
 * identifier rule to any printable ASCII character except `=` (which would end the name).
 */
export function envNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'is an empty environment variable name';
  if (name.includes('=')) return `'${name}' contains '=', which cannot be part of an environment variable name`;
  if (!/^[\x20-\x7e]+$/.test(name)) return `'${name}' must be printable ASCII characters (other than '=')`;
  return undefined;
}

/** The bytes `text` takes in UTF-8, as the API server counts them. */
function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

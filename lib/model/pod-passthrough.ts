/**
 * The pod template passthrough: any PodSpec field under a workload's `pod`, any Container field
 * under `containerSpec`, checked against the official Kubernetes schema (kubernetes-models) and
 * against the field names of `KUBERNETES_POD_FIELDS` (the compiled schemas let unknown
 * fields through; `kubectl apply --validate=strict` would not). stepwise owns a few fields — the
 * container's name and image, the security context, and what a structured key renders — and a
 * passthrough that sets one is refused with the key to use instead.
 */
import { StepwiseError, joinKeyPath } from './errors';
import { closest, describe, isPlainObject } from './plain-data';
import { KUBERNETES_POD_FIELDS } from './pod-template-fields';

/** PodSpec fields stepwise owns, each with the key that sets it instead. */
export const OWNED_POD_FIELDS: Readonly<Record<string, string>> = {
  securityContext:
    'use the workload key securityOverrides: stepwise renders the restricted Pod Security Standard and relaxes it only there, with a reason',
  terminationGracePeriodSeconds: 'use the workload key terminationGracePeriodSeconds',
  restartPolicy: "remove it: a Deployment's pods always restart (Always)",
  ephemeralContainers: 'remove it: Kubernetes adds ephemeral containers to running pods (kubectl debug), never through a Deployment',
};

/** Container fields of the main container stepwise owns, each with the key that sets it instead. */
export const OWNED_CONTAINER_FIELDS: Readonly<Record<string, string>> = {
  name: 'use the workload key container',
  image: 'set the image per stage (stages[i].workloads.<name>.image): it is what the release moves',
  securityContext:
    'use the workload key securityOverrides: stepwise renders the restricted Pod Security Standard and relaxes it only there, with a reason',
  resources: 'use the workload key resources (stepwise compares requests with limits)',
  imagePullPolicy: 'use the workload key imagePullPolicy',
};

/** Container fields a structured workload key renders: a workload may set each one way only. */
export const STRUCTURED_CONTAINER_FIELDS: Readonly<Record<string, string>> = {
  command: 'command',
  args: 'args',
  env: 'env',
  envFrom: 'envFrom',
  ports: 'ports',
  readinessProbe: 'readinessProbe',
  livenessProbe: 'livenessProbe',
  startupProbe: 'startupProbe',
  lifecycle: 'preStop',
  volumeMounts: 'volumes',
};

/** PodSpec fields a structured workload key renders: a workload may set each one way only. */
export const STRUCTURED_POD_FIELDS: Readonly<Record<string, string>> = { volumes: 'volumes' };

/** PodSpec fields the restricted Pod Security Standard forbids setting to true. */
const HOST_NAMESPACE_FIELDS = ['hostNetwork', 'hostPID', 'hostIPC'] as const;

/** A schema-backed model of kubernetes-models: `validate()` throws ajv's errors. */
type SchemaModel = new (data: never) => { validate(): void };

/**
 * The kubernetes-models class of `kind`, loaded the first time a stack file uses the passthrough:
 * the schemas are large, and a command that only reads a stack without one (`plan`, `check`) must
 * not pay for them. `import()` would make parsing async.
 */
function schemaModel(kind: 'PodSpec' | 'Container'): SchemaModel {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const loaded =
    kind === 'PodSpec'
      ? (require('kubernetes-models/v1/PodSpec') as typeof import('kubernetes-models/v1/PodSpec')).PodSpec
      : (require('kubernetes-models/v1/Container') as typeof import('kubernetes-models/v1/Container')).Container;
  /* eslint-enable @typescript-eslint/no-require-imports */
  return loaded as unknown as SchemaModel;
}

/**
 * Where `value` breaks the Kubernetes object type `type` (a name of `KUBERNETES_POD_FIELDS`,
 * e.g. `PodSpec`, `Toleration[]`): every field that type does not have, with "did you mean", at
 * its key path under `keyPath`. Types of values are the schema's to check (see `kubeSchemaProblems`).
 */
export function unknownFieldProblems(value: unknown, type: string, keyPath: string): StepwiseError[] {
  const problems: StepwiseError[] = [];
  const pending: { value: unknown; type: string; at: string }[] = [{ value, type, at: keyPath }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (next.type.endsWith('[]')) {
      const element = next.type.slice(0, -2);
      if (Array.isArray(next.value)) next.value.forEach((item, i) => pending.push({ value: item, type: element, at: `${next.at}[${i}]` }));
      continue;
    }
    const fields = KUBERNETES_POD_FIELDS[next.type];
    if (!fields || !isPlainObject(next.value)) continue;
    for (const [key, child] of Object.entries(next.value)) {
      const fieldType = Object.prototype.hasOwnProperty.call(fields, key) ? fields[key] : undefined;
      if (fieldType === undefined) {
        const suggestion = suggestedField(key, Object.keys(fields));
        problems.push(
          new StepwiseError({
            keyPath: joinKeyPath(next.at, key),
            problem: `is not a field of a Kubernetes ${next.type}`,
            fix: suggestion ? `did you mean '${suggestion}'?` : `see the fields of ${next.type} in the Kubernetes API reference`,
          }),
        );
      } else if (fieldType !== '') {
        pending.push({ value: child, type: fieldType, at: joinKeyPath(next.at, key) });
      }
    }
  }
  return problems.sort((a, b) => (a.keyPath ?? '').localeCompare(b.keyPath ?? ''));
}

/** The field `key` probably meant: the closest spelling, else one that `key` begins (`claim` → `claimName`). */
function suggestedField(key: string, fields: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  return closest(key, fields) ?? (lower.length >= 3 ? fields.find((f) => f.toLowerCase().startsWith(lower)) : undefined);
}

/**
 * What the official schema of `kind` says is wrong in `object` (the first violation ajv reports),
 * at its key path under `keyPath`; `pathOf` turns an instance path of `object` into the key path
 * of the fragment the stack file wrote.
 */
function kubeSchemaProblems(
  kind: 'PodSpec' | 'Container',
  object: unknown,
  keyPath: string,
  pathOf: (instancePath: string) => string,
): StepwiseError[] {
  const Model = schemaModel(kind);
  try {
    new Model(object as never).validate();
    return [];
  } catch (error) {
    const detail = (error as { errors?: { instancePath?: string; message?: string }[] }).errors?.[0];
    const at = pathOf(detail?.instancePath ?? '');
    return [
      new StepwiseError({
        keyPath: at === '' ? keyPath : joinKeyPath(keyPath, at),
        problem: `${detail?.message ?? (error as Error).message} (the Kubernetes ${kind} schema)`,
        fix: `write the field as the Kubernetes API reference for ${kind} gives it`,
      }),
    ];
  }
}

/** `/tolerations/0/effect` → `tolerations[0].effect`. */
function keyPathOfInstancePath(instancePath: string): string {
  return instancePath
    .split('/')
    .filter((part) => part !== '')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((at, part) => (/^\d+$/.test(part) ? `${at}[${part}]` : joinKeyPath(at, part)), '');
}

/** What the options of {@link podPassthroughProblems} say about the workload around its `pod`. */
export interface PassthroughContext {
  /** The main container's name: no sidecar may take it. */
  readonly mainContainer: string;
  /** The structured keys the workload (or `defaults`) sets, which a passthrough field must not set again. */
  readonly structuredKeys: ReadonlySet<string>;
  /** Whether the workload's `securityOverrides` allow hostPath volumes. */
  readonly allowsHostPath: boolean;
}

/**
 * Every problem of a workload's `pod` (any PodSpec field) at `keyPath`: unknown fields, schema
 * violations, fields stepwise owns, fields a structured key also sets, sidecar and init containers
 * that take the main container's name, set their own security context or have no image, and what
 * the restricted Pod Security Standard forbids (host namespaces, hostPath without the override).
 */
export function podPassthroughProblems(pod: unknown, keyPath: string, context: PassthroughContext): StepwiseError[] {
  if (!isPlainObject(pod)) {
    return [
      new StepwiseError({ keyPath, problem: `must be a mapping, got ${describe(pod)}`, fix: 'write PodSpec fields as `key: value` lines' }),
    ];
  }
  const problems: StepwiseError[] = [];
  const report = (at: string, problem: string, fix: string) =>
    problems.push(new StepwiseError({ keyPath: joinKeyPath(keyPath, at), problem, fix }));
  for (const key of Object.keys(pod)) {
    if (OWNED_POD_FIELDS[key]) report(key, 'is set by stepwise, not passed through', OWNED_POD_FIELDS[key]);
    const structured = STRUCTURED_POD_FIELDS[key];
    if (structured && context.structuredKeys.has(structured)) {
      report(
        key,
        `is also set by the workload key ${structured}`,
        `set the volumes one way: under ${structured}, or all under pod.${key} (with their mounts under containerSpec.volumeMounts)`,
      );
    }
  }
  for (const key of HOST_NAMESPACE_FIELDS) {
    if (pod[key] === true) {
      report(key, "is forbidden by the restricted Pod Security Standard (the pod would share the node's namespace)", `remove ${key}`);
    }
  }
  if (Array.isArray(pod.volumes) && !context.allowsHostPath) {
    pod.volumes.forEach((volume, i) => {
      if (isPlainObject(volume) && volume.hostPath !== undefined) {
        report(
          `volumes[${i}].hostPath`,
          'is forbidden by the restricted Pod Security Standard',
          'add securityOverrides: { hostPath: true, reason: "..." } to the workload if the node path is really needed',
        );
      }
    });
  }
  const names = new Map<string, string>([[context.mainContainer, 'the main container']]);
  for (const list of ['initContainers', 'containers'] as const) {
    const containers = pod[list];
    if (!Array.isArray(containers)) continue;
    containers.forEach((container, i) => {
      const at = `${list}[${i}]`;
      if (!isPlainObject(container)) return;
      if (container.securityContext !== undefined) {
        report(
          `${at}.securityContext`,
          'is set by stepwise: every container gets the restricted Pod Security Standard',
          'remove it, and use the workload key securityOverrides (it applies to every container of the pod, with a reason)',
        );
      }
      if (typeof container.image !== 'string' || container.image === '') {
        report(`${at}.image`, 'is required for a sidecar or init container', 'give the image with a tag or digest, e.g. busybox:1.36');
      }
      if (typeof container.name !== 'string') return;
      const earlier = names.get(container.name);
      if (earlier === 'the main container' && list === 'containers') {
        report(
          `${at}.name`,
          `'${container.name}' is the main container's name`,
          "set the main container's fields under containerSpec; give sidecars their own names",
        );
      } else if (earlier !== undefined) {
        report(`${at}.name`, `'${container.name}' is also the name of ${earlier}`, 'give every container of the pod its own name');
      } else {
        names.set(container.name, `pod.${at}`);
      }
    });
  }
  const unknown = unknownFieldProblems(pod, 'PodSpec', keyPath).map((problem) => {
    const key = problem.keyPath?.slice(keyPath.length + 1) ?? '';
    // A Container field at the pod's top level is a common slip: say where it goes.
    return KUBERNETES_POD_FIELDS.Container[key] !== undefined
      ? new StepwiseError({
          keyPath: problem.keyPath,
          problem: problem.problem,
          fix: `${key} is a Container field: put it under containerSpec`,
        })
      : problem;
  });
  problems.push(...unknown);
  // The schema needs one container; a placeholder stands in for the main one when `pod` has no sidecars.
  const object = Array.isArray(pod.containers) ? pod : { ...pod, containers: [{ name: context.mainContainer }] };
  if (unknown.length === 0) problems.push(...kubeSchemaProblems('PodSpec', object, keyPath, keyPathOfInstancePath));
  return problems;
}

/**
 * Every problem of a workload's `containerSpec` (any Container field of the main container) at
 * `keyPath`: unknown fields, schema violations, fields stepwise owns and fields a structured key
 * of the workload also sets.
 */
export function containerPassthroughProblems(spec: unknown, keyPath: string, context: PassthroughContext): StepwiseError[] {
  if (!isPlainObject(spec)) {
    return [
      new StepwiseError({
        keyPath,
        problem: `must be a mapping, got ${describe(spec)}`,
        fix: 'write Container fields as `key: value` lines',
      }),
    ];
  }
  const problems: StepwiseError[] = [];
  for (const key of Object.keys(spec)) {
    const owned = OWNED_CONTAINER_FIELDS[key];
    if (owned)
      problems.push(
        new StepwiseError({ keyPath: joinKeyPath(keyPath, key), problem: 'is set by stepwise, not passed through', fix: owned }),
      );
    const structured = STRUCTURED_CONTAINER_FIELDS[key];
    if (structured && context.structuredKeys.has(structured)) {
      problems.push(
        new StepwiseError({
          keyPath: joinKeyPath(keyPath, key),
          problem: `is also set by the workload key ${structured}`,
          fix: `set it one way: remove ${structured} (from the workload and from defaults) or containerSpec.${key}`,
        }),
      );
    }
  }
  const unknown = unknownFieldProblems(spec, 'Container', keyPath);
  problems.push(...unknown);
  if (unknown.length === 0)
    problems.push(...kubeSchemaProblems('Container', { ...spec, name: context.mainContainer }, keyPath, keyPathOfInstancePath));
  return problems;
}

/**
 * Every problem of a fragment of a Container (`envFrom`, an env var's `valueFrom`) or of a
 * volume source, checked the same way: `type` is its Kubernetes type (`EnvFromSource[]`,
 * `EnvVarSource`, `SecretVolumeSource`...); `schema.object` is a whole Container or PodSpec with
 * the fragment where it belongs, for the schema check, and `schema.prefix` its instance path there.
 */
export function fragmentProblems(
  value: unknown,
  type: string,
  keyPath: string,
  schema: { readonly kind: 'PodSpec' | 'Container'; readonly object: unknown; readonly prefix: string },
): StepwiseError[] {
  const unknown = unknownFieldProblems(value, type, keyPath);
  if (unknown.length > 0) return unknown;
  return kubeSchemaProblems(schema.kind, schema.object, keyPath, (instancePath) =>
    instancePath.startsWith(schema.prefix) ? keyPathOfInstancePath(instancePath.slice(schema.prefix.length)) : '',
  );
}

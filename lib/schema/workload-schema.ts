/**
 * The shape of one workload in a stack file (`workloads.<name>`, and `defaults`, whose keys every
 * workload inherits): its pod labels, selector, container and Deployment settings.
 */
import { z } from 'zod';
import {
  INT32_MAX,
  count,
  intOrPercentUpTo,
  kubeFields,
  labelMap,
  objectName,
  portNumber,
  portRef,
  protocol,
  sortedByKey,
  type KubeFields,
} from './common-schemas';
import { documented } from './documented';

/** The Kubernetes HostPathType values (`""` skips the check, as when `type` is left out). */
export const HOST_PATH_TYPES = [
  '',
  'DirectoryOrCreate',
  'Directory',
  'FileOrCreate',
  'File',
  'Socket',
  'CharDevice',
  'BlockDevice',
] as const;

/** CPU as millicores (`500m`) or cores with up to three decimals (`1.5`). */
export const CPU_QUANTITY = /^(\d+m|\d+(\.\d{1,3})?)$/;

/** Memory in the binary units cdk8s renders in Mi (`256Mi`, `8Gi`); other quantities are rendered as written. */
export const MEMORY_QUANTITY = /^\d+(Mi|Gi|Ti)$/;

/**
 * Memory as any Kubernetes quantity the API server accepts for a container (`512M`, `1.5Gi`,
 * `1e9`, `1073741824`); one not in {@link MEMORY_QUANTITY}'s form is rendered as written.
 */
export const MEMORY_REQUEST_QUANTITY = /^(\d+(\.\d+)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E|[eE]\d+)?$/;

export { PORT_NAME } from './common-schemas';

/** Values a stack file's workload gets for the keys it and `defaults` leave out. */
export const WORKLOAD_DEFAULTS = {
  containerName: 'main',
  resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '128Mi' } },
  terminationGracePeriodSeconds: 30,
  minReadySeconds: 0,
  progressDeadlineSeconds: 600,
  revisionHistoryLimit: 10,
  strategy: { type: 'RollingUpdate', maxSurge: '25%', maxUnavailable: 0 },
  imagePullPolicy: 'IfNotPresent',
  disruptionBudget: 1,
} as const;

const labelRequirement = z.strictObject({
  key: documented(z.string().min(1), 'The pod label key.'),
  operator: documented(z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']), 'How the label is compared.'),
  values: documented(z.array(z.string()).optional(), 'Values for In and NotIn; empty for Exists and DoesNotExist.'),
});

/** A Deployment selector as parsed: the labels the pods must carry, and set-based requirements on their labels. */
type WorkloadSelectorValue = {
  matchLabels: Record<string, string>;
  matchExpressions: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values: string[] }[];
};

/** A Deployment selector: a plain label map, or Kubernetes' `matchLabels` / `matchExpressions`. */
export const workloadSelectorSchema = z.union([
  labelMap.transform((matchLabels): WorkloadSelectorValue => ({ matchLabels, matchExpressions: [] })),
  z
    .strictObject({
      matchLabels: documented(labelMap.optional(), 'Labels the pods must carry.'),
      matchExpressions: documented(z.array(labelRequirement).optional(), 'Set-based requirements on pod labels.'),
    })
    .transform(
      (selector): WorkloadSelectorValue => ({
        matchLabels: selector.matchLabels ?? {},
        matchExpressions: (selector.matchExpressions ?? []).map((e) => ({ key: e.key, operator: e.operator, values: e.values ?? [] })),
      }),
    ),
]);

/** A container port as parsed: its name (referenced by Services and probes), number and protocol. */
type ContainerPortValue = { name?: string; containerPort: number; protocol: 'TCP' | 'UDP' | 'SCTP' };

/** A container port: a bare number is a TCP port without a name. */
export const containerPortSchema = z.union([
  portNumber.transform((containerPort): ContainerPortValue => ({ containerPort, protocol: 'TCP' })),
  z
    .strictObject({
      name: documented(z.string().min(1).max(15).optional(), 'Port name (referenced by Services and probes), at most 15 characters.'),
      containerPort: documented(portNumber, 'The port the process listens on.'),
      protocol: documented(protocol.default('TCP'), 'TCP, UDP or SCTP.', 'TCP'),
    })
    .transform(
      (p): ContainerPortValue => ({
        name: p.name,
        containerPort: p.containerPort,
        protocol: p.protocol,
      }),
    ),
]);

const httpGet = z.strictObject({
  path: documented(z.string().min(1), 'The HTTP path, e.g. /healthz.'),
  port: documented(portRef, 'The container port: a number, or the name of one of `ports` (`http`).'),
});
/** The command of an `exec` probe or hook: at least one word, as the API server requires. */
export const execCommandSchema = z.strictObject({
  command: documented(z.array(z.string().min(1)).min(1), 'The command and its arguments; exit 0 is healthy.'),
});

/** The handlers of a probe, of which it sets exactly one. */
export const PROBE_HANDLERS = ['httpGet', 'tcpSocket', 'grpc', 'exec'] as const;

/** How a probe checks the container: exactly one of httpGet, tcpSocket, grpc, exec, and its timing. */
export const probeSchema = z
  .strictObject({
    httpGet: documented(httpGet.optional(), 'HTTP GET of `path` on `port` (exactly one of httpGet, tcpSocket, grpc, exec).'),
    tcpSocket: documented(z.strictObject({ port: portRef }).optional(), 'TCP connect to `port` (a number or a port name).'),
    grpc: documented(
      z
        .strictObject({
          port: documented(portNumber, 'The gRPC port (a number: Kubernetes does not resolve port names for gRPC).'),
          service: documented(z.string().optional(), 'The service name sent in the gRPC HealthCheckRequest.'),
        })
        .optional(),
      'gRPC health check (grpc.health.v1) on `port`.',
    ),
    exec: documented(execCommandSchema.optional(), 'Run a command in the container.'),
    initialDelaySeconds: documented(count().optional(), 'Seconds after start before the first probe.'),
    periodSeconds: documented(count(1).optional(), 'Seconds between probes.'),
    timeoutSeconds: documented(count(1).optional(), 'Seconds before a probe times out.'),
    failureThreshold: documented(count(1).optional(), 'Consecutive failures before the probe counts as failed.'),
    successThreshold: documented(
      count(1).optional(),
      'Consecutive successes before it counts as passed again (1 for liveness and startup probes).',
    ),
  })
  .refine((p) => PROBE_HANDLERS.filter((key) => p[key] !== undefined).length === 1)
  .meta({ id: 'Probe', description: 'How a probe checks the container: exactly one of httpGet, tcpSocket, grpc, exec, and its timing.' });

/** The handlers of a preStop hook, of which it sets exactly one. */
export const PRE_STOP_HANDLERS = ['exec', 'httpGet', 'sleep'] as const;

/** A `preStop` hook as written: exactly one of its handlers. */
const preStopFields = z
  .strictObject({
    exec: documented(execCommandSchema.optional(), 'Run a command (exactly one of exec, httpGet, sleep).'),
    httpGet: documented(httpGet.optional(), 'Call an HTTP endpoint.'),
    sleep: documented(
      z.strictObject({ seconds: documented(count(1), 'Seconds to sleep.') }).optional(),
      'Sleep in the kubelet, with no shell in the image (Kubernetes 1.30+).',
    ),
  })
  .refine((hook) => PRE_STOP_HANDLERS.filter((key) => hook[key] !== undefined).length === 1);

/** A `preStop` hook: run a command, call an HTTP endpoint, or sleep, before the container gets SIGTERM (parsed: the one handler it sets). */
export const preStopSchema = preStopFields.transform(
  (hook) =>
    hook as
      | { exec: z.output<typeof execCommandSchema> }
      | { httpGet: z.output<typeof httpGet> }
      | { sleep: { seconds: number } },
);

/** CPU as written: `500m`, `1.5`, or a number of cores. */
export const cpuSchema = z.union([z.string().regex(CPU_QUANTITY), z.number().positive()]);
/** Memory as written: a Kubernetes quantity, or a number of bytes. */
export const memorySchema = z.union([z.string().regex(MEMORY_REQUEST_QUANTITY), z.number().positive()]);
const resourceAmounts = z
  .strictObject({
    cpu: documented(cpuSchema.optional(), 'CPU as millicores (500m) or cores with up to three decimals (1.5).'),
    memory: documented(memorySchema.optional(), 'Memory as a Kubernetes quantity: 256Mi, 8Gi, 1.5Gi, 512M, 1e9 (bytes).'),
  })
  // A number is the quantity it writes (`2` cores is `"2"`).
  .transform((amounts) => {
    const quantities: { cpu?: string; memory?: string } = {};
    if (amounts.cpu !== undefined) quantities.cpu = String(amounts.cpu);
    if (amounts.memory !== undefined) quantities.memory = String(amounts.memory);
    return quantities;
  });

/** Resource requests and limits, as Kubernetes quantities (`500m`, `8196Mi`); a side left out is empty. */
export const resourcesSchema = z
  .strictObject({
    requests: documented(resourceAmounts.optional(), 'What the scheduler reserves; cpu or memory is required.'),
    limits: documented(resourceAmounts.optional(), 'What the container may use at most.'),
  })
  .transform((r) => ({ requests: r.requests ?? {}, limits: r.limits ?? {} }));

/** The sources a volume may have, of which it sets exactly one. */
export const VOLUME_SOURCES = ['emptyDir', 'hostPath', 'configMap', 'secret', 'persistentVolumeClaim', 'projected'] as const;

const volumeFields = z.strictObject({
  name: documented(objectName, 'Volume name, unique in the workload.'),
  mountPath: documented(z.string().startsWith('/'), 'Where the volume appears in the container (an absolute path).'),
  readOnly: documented(z.boolean().default(false), 'Mount read-only.', false),
  emptyDir: documented(
    z
      .strictObject({
        medium: documented(z.literal('Memory').optional(), 'Memory for a tmpfs; the node disk when left out.'),
        sizeLimit: documented(
          z.string().regex(MEMORY_REQUEST_QUANTITY).optional(),
          'The most the volume may hold, as a Kubernetes memory quantity: 500Mi, 2Gi, 1.5Gi, 512M.',
        ),
      })
      .nullable()
      .optional(),
    'A scratch directory that lives as long as the pod (exactly one of emptyDir, hostPath, configMap, secret, persistentVolumeClaim, projected).',
  ),
  hostPath: documented(
    z
      .strictObject({
        path: documented(z.string().min(1), 'The node directory or file.'),
        type: documented(z.enum(HOST_PATH_TYPES).optional(), 'The Kubernetes HostPathType checked before mounting.'),
      })
      .optional(),
    'A node path; needs `securityOverrides.hostPath`.',
  ),
  configMap: documented(z.strictObject({ name: objectName }).optional(), 'A ConfigMap, its keys as files.'),
  secret: documented(kubeFields().optional(), 'A Secret, its keys as files: a Kubernetes SecretVolumeSource (`secretName`, `items`, `defaultMode`...).'),
  persistentVolumeClaim: documented(
    kubeFields().optional(),
    'A PersistentVolumeClaim: a Kubernetes PersistentVolumeClaimVolumeSource (`claimName`, `readOnly`).',
  ),
  projected: documented(
    kubeFields().optional(),
    'Several sources in one directory: a Kubernetes ProjectedVolumeSource (`sources` of secret, configMap, downwardAPI, serviceAccountToken).',
  ),
});

/** A volume and where it is mounted; parsed, its one source under `source` (a hostPath `type` of "" left out, as it checks nothing). */
export const volumeSchema = volumeFields
  .refine((v) => VOLUME_SOURCES.filter((key) => v[key] !== undefined).length === 1)
  .transform((v) => ({ name: v.name, mountPath: v.mountPath, readOnly: v.readOnly, source: volumeSource(v) }));

/** The one source of a volume whose shape is checked. */
function volumeSource(
  v: z.output<typeof volumeFields>,
):
  | { emptyDir: { medium?: 'Memory'; sizeLimit?: string } }
  | { hostPath: { path: string; type?: string } }
  | { configMap: { name: string } }
  | { secret: KubeFields }
  | { persistentVolumeClaim: KubeFields }
  | { projected: KubeFields } {
  if (v.emptyDir !== undefined) return { emptyDir: v.emptyDir ?? {} };
  if (v.hostPath !== undefined) {
    const { path, type } = v.hostPath;
    return { hostPath: type ? { path, type } : { path } };
  }
  if (v.configMap !== undefined) return { configMap: v.configMap };
  if (v.secret !== undefined) return { secret: v.secret };
  if (v.persistentVolumeClaim !== undefined) return { persistentVolumeClaim: v.persistentVolumeClaim };
  return { projected: v.projected as KubeFields };
}

/**
 * Explicit departures from the restricted Pod Security Standard, each with its default resolved
 * and the capabilities sorted. Each one is rendered, listed by `stepwise check`, and carries a `reason`.
 */
export const securityOverridesSchema = z
  .strictObject({
    reason: documented(z.string().min(1), 'Why the workload needs the overrides (shown by `stepwise check`).'),
    runAsRoot: documented(z.boolean().default(false), 'Run as root (the restricted standard requires runAsNonRoot).', false),
    // A user ID is a 32-bit number to the API server (and to Linux).
    runAsUser: documented(count().optional(), "The UID to run as; the image's own user when left out."),
    writableRootFilesystem: documented(z.boolean().default(false), 'Allow writes to the root filesystem.', false),
    addCapabilities: documented(z.array(z.string().min(1)).default([]), 'Capabilities to add back after dropping ALL.', []),
    hostPath: documented(z.boolean().default(false), 'Allow hostPath volumes.', false),
  })
  .transform((o): { reason: string; runAsRoot: boolean; runAsUser?: number; writableRootFilesystem: boolean; addCapabilities: string[]; hostPath: boolean } => ({
    reason: o.reason,
    runAsRoot: o.runAsRoot,
    runAsUser: o.runAsUser,
    writableRootFilesystem: o.writableRootFilesystem,
    addCapabilities: [...o.addCapabilities].sort(),
    hostPath: o.hostPath,
  }));

/** A count or a percentage (`"25%"`) as Kubernetes' IntOrString for rollouts. */
type IntOrPercentValue = number | `${number}%`;

/** The strategy's keys as written: `maxSurge` and `maxUnavailable` only with RollingUpdate. */
const strategyFields = z
  .strictObject({
    type: documented(z.enum(['RollingUpdate', 'Recreate']).optional(), 'How pods are replaced.', 'RollingUpdate'),
    maxSurge: documented(
      // Kubernetes caps only maxUnavailable at 100%: a maxSurge of "150%" is valid.
      intOrPercentUpTo(INT32_MAX).optional(),
      'Pods above the desired count during a RollingUpdate.',
      WORKLOAD_DEFAULTS.strategy.maxSurge,
    ),
    maxUnavailable: documented(
      intOrPercentUpTo(100).optional(),
      'Pods below the desired count during a RollingUpdate (at most 100%).',
      WORKLOAD_DEFAULTS.strategy.maxUnavailable,
    ),
  })
  .refine((s) => s.type !== 'Recreate' || (s.maxSurge === undefined && s.maxUnavailable === undefined));

/** How a Deployment replaces its pods when the pod template changes: RollingUpdate (its bounds resolved) or Recreate. */
export const strategySchema = strategyFields.transform(
  (s):
    | { type: 'RollingUpdate'; maxSurge: IntOrPercentValue; maxUnavailable: IntOrPercentValue }
    | { type: 'Recreate' } =>
    s.type === 'Recreate'
      ? { type: 'Recreate' }
      : {
          type: 'RollingUpdate',
          maxSurge: (s.maxSurge ?? WORKLOAD_DEFAULTS.strategy.maxSurge) as IntOrPercentValue,
          maxUnavailable: (s.maxUnavailable ?? WORKLOAD_DEFAULTS.strategy.maxUnavailable) as IntOrPercentValue,
        },
);

/** A PodDisruptionBudget: its `maxUnavailable` (the default when left out), or undefined for `false` (none). */
export const disruptionBudgetSchema = z
  .union([z.literal(false), z.strictObject({ maxUnavailable: intOrPercentUpTo(100) })])
  .transform((budget) => (budget === false ? undefined : (budget.maxUnavailable as IntOrPercentValue)));

/** An environment variable's value: a string, or `valueFrom` a Secret, ConfigMap, field or resource. */
export const envValueSchema = z.union([
  z.string(),
  z.strictObject({
    valueFrom: documented(kubeFields(), 'A Kubernetes EnvVarSource: `secretKeyRef`, `configMapKeyRef`, `fieldRef` or `resourceFieldRef`.'),
  }),
]);

/** Annotations: string keys to string values, sorted by key. */
export const annotationMap = z.record(z.string(), z.string()).transform(sortedByKey);

/**
 * One workload (a Deployment) as a stack file writes it, under `workloads.<name>` or as
 * `defaults`. Every key is optional here because `defaults` may supply it; `labels` must end up
 * set by one of the two.
 */
export const workloadSchema = z
  .strictObject({
    labels: documented(
      labelMap.optional(),
      'Pod labels: the shared Service label (`app`) and the per-track label (`track`/`version`). Required, here or in `defaults`; merged key by key with `defaults.labels`.',
    ),
    selector: documented(
      workloadSelectorSchema.optional(),
      "The Deployment's `spec.selector`, immutable in Kubernetes. A label map or matchLabels/matchExpressions; the workload's own labels when left out.",
    ),
    podAnnotations: documented(annotationMap.default({}), 'Annotations on the pod template; merged key by key with `defaults`.'),
    container: documented(objectName.default(WORKLOAD_DEFAULTS.containerName), 'Container name.', WORKLOAD_DEFAULTS.containerName),
    ports: documented(z.array(containerPortSchema).default([]), 'Container ports: a number, or `{ name, containerPort, protocol }`.'),
    command: documented(z.array(z.string().min(1)).optional(), "Entrypoint override; the image's when left out."),
    args: documented(z.array(z.string().min(1)).optional(), "Arguments; the image's when left out."),
    env: documented(
      z
        .record(
          z.string(),
          envValueSchema,
        )
        .transform(sortedByKey)
        .default({}),
      'Environment variables: a quoted string, or `{ valueFrom: ... }`; merged key by key with `defaults`.',
    ),
    envFrom: documented(
      z.array(kubeFields()).optional(),
      'Whole Secrets or ConfigMaps as environment variables: Kubernetes EnvFromSources (`secretRef`, `configMapRef`, `prefix`).',
    ),
    resources: documented(resourcesSchema.prefault(WORKLOAD_DEFAULTS.resources), 'Requests and limits.'),
    readinessProbe: documented(probeSchema.optional(), 'Gates endpoints and rollout progress.'),
    livenessProbe: documented(probeSchema.optional(), 'Restarts a stuck container.'),
    startupProbe: documented(probeSchema.optional(), 'Holds liveness back while the app starts.'),
    preStop: documented(preStopSchema.optional(), 'Hook run before SIGTERM, for a graceful offline.'),
    terminationGracePeriodSeconds: documented(
      z.number().int().min(0).default(WORKLOAD_DEFAULTS.terminationGracePeriodSeconds),
      'Seconds between SIGTERM and SIGKILL.',
      WORKLOAD_DEFAULTS.terminationGracePeriodSeconds,
    ),
    minReadySeconds: documented(
      count().default(WORKLOAD_DEFAULTS.minReadySeconds),
      'Seconds a new pod must be ready before it counts as available.',
      WORKLOAD_DEFAULTS.minReadySeconds,
    ),
    progressDeadlineSeconds: documented(
      count(1).default(WORKLOAD_DEFAULTS.progressDeadlineSeconds),
      'Seconds without progress before the rollout is reported failed; more than minReadySeconds.',
      WORKLOAD_DEFAULTS.progressDeadlineSeconds,
    ),
    revisionHistoryLimit: documented(
      count().default(WORKLOAD_DEFAULTS.revisionHistoryLimit),
      'Old ReplicaSets kept for `kubectl rollout undo`.',
      WORKLOAD_DEFAULTS.revisionHistoryLimit,
    ),
    strategy: documented(strategySchema.optional(), 'RollingUpdate (with maxSurge / maxUnavailable) or Recreate.'),
    volumes: documented(z.array(volumeSchema).default([]), 'Volumes and where they are mounted.'),
    imagePullPolicy: documented(
      z.enum(['Always', 'IfNotPresent', 'Never']).default(WORKLOAD_DEFAULTS.imagePullPolicy),
      'Image pull policy.',
      WORKLOAD_DEFAULTS.imagePullPolicy,
    ),
    securityOverrides: documented(
      securityOverridesSchema.optional(),
      'Explicit departures from the restricted Pod Security Standard; each is rendered and listed by `stepwise check`.',
    ),
    disruptionBudget: documented(
      disruptionBudgetSchema.prefault({ maxUnavailable: WORKLOAD_DEFAULTS.disruptionBudget }),
      "The workload's PodDisruptionBudget (`{ maxUnavailable }`), or false for none.",
    ),
    pod: documented(
      kubeFields().optional(),
      'Any other Kubernetes PodSpec field, as Kubernetes writes it (nodeSelector, affinity, tolerations, topologySpreadConstraints, serviceAccountName, imagePullSecrets, initContainers, sidecar `containers`, volumes...), checked against the official schema. Not `securityContext` (use securityOverrides) nor `terminationGracePeriodSeconds`; sidecars and init containers get the restricted security context too. Replaces `defaults.pod` as a whole.',
    ),
    containerSpec: documented(
      kubeFields().optional(),
      "Any other Kubernetes Container field of the main container, as Kubernetes writes it, checked against the official schema. Not `name`, `image`, `securityContext`, `resources` or `imagePullPolicy` (stepwise's keys set them), nor a field a key of the workload also sets (`env`, `ports`, probes, `preStop` → `lifecycle`, `volumes` → `volumeMounts`).",
    ),
  })
  .meta({ id: 'Workload', description: 'A workload (Deployment) as a stack file writes it, under `workloads.<name>` or as `defaults`.' });

/**
 * A workload's definition as the plan is parsed: every key of {@link workloadSchema}, defaults
 * applied, from its keys merged as written (its own over `defaults`, a stage's over those). Not
 * strict: unknown keys are reported where they are written, before the keys are merged.
 */
export const workloadDefinitionSchema = z.object({
  ...workloadSchema.shape,
  // The defaults as parsed values, not parsed again for every workload that leaves them out.
  resources: resourcesSchema.default(WORKLOAD_DEFAULTS.resources as z.output<typeof resourcesSchema>),
  strategy: strategySchema.default(WORKLOAD_DEFAULTS.strategy),
  disruptionBudget: disruptionBudgetSchema.default(WORKLOAD_DEFAULTS.disruptionBudget),
});

/** A workload as a stack file writes it (the input type of {@link workloadSchema}). */
export type WorkloadData = z.input<typeof workloadSchema>;

/** The keys a workload (or `defaults`) may have, in documented order. */
export const WORKLOAD_KEYS: readonly string[] = Object.keys(workloadSchema.shape);

/**
 * The keys of a workload a stage may change (`stages[i].workloads.<name>`, besides replicas, image
 * and paused): its pod template. Not the labels and selector (the workload's identity), the
 * Deployment settings (strategy, timings, disruption budget) nor its security overrides.
 */
export const STAGE_TEMPLATE_KEYS = [
  'podAnnotations',
  'container',
  'ports',
  'command',
  'args',
  'env',
  'envFrom',
  'resources',
  'readinessProbe',
  'livenessProbe',
  'startupProbe',
  'preStop',
  'terminationGracePeriodSeconds',
  'volumes',
  'imagePullPolicy',
  'pod',
  'containerSpec',
] as const satisfies readonly (keyof typeof workloadSchema.shape)[];

/** A key of a workload a stage may change ({@link STAGE_TEMPLATE_KEYS}). */
export type StageTemplateKey = (typeof STAGE_TEMPLATE_KEYS)[number];

/** The keys of a probe. */
export const PROBE_KEYS: readonly string[] = Object.keys(probeSchema.shape);

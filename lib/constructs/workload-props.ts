import {
  CPU_QUANTITY,
  MEMORY_REQUEST_QUANTITY,
  StepwiseError,
  containerPassthroughProblems,
  podPassthroughProblems,
  type EnvValue,
  type KubeFields,
  WORKLOAD_DEFAULTS,
  joinKeyPath,
  objectNameProblem,
  podTemplateProblems,
  workloadSelectorMatches,
  type DeploymentStrategy,
  type IntOrPercent,
  type LabelRequirement,
  type Labels,
  type PreStopHook,
  type Probe,
  type Workload,
  type WorkloadInStage,
} from '../model';

/** A container port of {@link WorkloadProps}. */
export interface WorkloadPortProps {
  /**
   * Port name, referenced by Services and probes; at most 15 characters.
   * @default - unnamed
   */
  readonly name?: string;
  /** The port the process listens on. */
  readonly containerPort: number;
  /**
   * The protocol.
   * @default 'TCP'
   */
  readonly protocol?: 'TCP' | 'UDP' | 'SCTP';
}

/** A volume of {@link WorkloadProps} and where the container mounts it. */
export interface WorkloadVolumeProps {
  /** Volume name. */
  readonly name: string;
  /** Where it appears in the container. */
  readonly mountPath: string;
  /**
   * Mount it read-only.
   * @default false
   */
  readonly readOnly?: boolean;
  /** The source: an emptyDir, a hostPath (needs `securityOverrides.hostPath`) or a ConfigMap. */
  readonly source: Workload['volumes'][number]['source'];
}

/**
 * Departures from the restricted Pod Security Standard ({@link WorkloadProps.securityOverrides}).
 * Each one is rendered as asked, and the namespace then warns and audits instead of enforcing.
 */
export interface SecurityOverridesProps {
  /** Why the workload needs them (`stepwise check` shows it). */
  readonly reason: string;
  /**
   * Run as root (restricted requires runAsNonRoot).
   * @default false
   */
  readonly runAsRoot?: boolean;
  /**
   * The UID to run as.
   * @default - the image's own user
   */
  readonly runAsUser?: number;
  /**
   * Allow writes to the root filesystem.
   * @default false
   */
  readonly writableRootFilesystem?: boolean;
  /**
   * Capabilities to add back after dropping ALL (restricted allows only NET_BIND_SERVICE).
   * @default - none
   */
  readonly addCapabilities?: readonly string[];
  /**
   * Allow hostPath volumes (restricted forbids them).
   * @default false
   */
  readonly hostPath?: boolean;
}

/**
 * One workload as it runs in the stage being rendered: a Deployment (and its
 * PodDisruptionBudget) with this stage's replicas and image. Everything but `replicas`, `image`
 * and `paused` is the workload's definition, which should stay the same from stage to stage
 * (its `name` and `selector` must: Kubernetes cannot change them in place).
 */
export interface WorkloadProps {
  /** Deployment name; keep it across stages (a rename is a delete and a create). */
  readonly name: string;
  /** Pod labels: the label the Service selects (`app`) and the one that tells the workloads apart (`track`, `version`). */
  readonly labels: Labels;
  /** Container image in this stage. */
  readonly image: string;
  /** Desired replicas in this stage (0 keeps the Deployment with no pods). */
  readonly replicas: number;
  /**
   * Pause the Deployment in this stage: it keeps the pods it has and rolls out no template change.
   * @default false
   */
  readonly paused?: boolean;
  /**
   * The Deployment's `kubernetes.io/change-cause` annotation (on the Deployment, not the pod
   * template): `kubectl rollout history` shows it for the revision it was set with. A stack file's
   * stages set it to `stepwise: stage <the stage that brought in this image>`.
   * @default - none
   */
  readonly changeCause?: string;
  /**
   * The Deployment's `spec.selector`; it must select `labels`, and Kubernetes never changes it in place.
   * @default - every label of `labels`
   */
  readonly selector?: { readonly matchLabels?: Labels; readonly matchExpressions?: readonly LabelRequirement[] };
  /**
   * Annotations on the pod template (a change rolls the pods).
   * @default - none
   */
  readonly podAnnotations?: Labels;
  /**
   * Container name.
   * @default 'main'
   */
  readonly containerName?: string;
  /**
   * Container ports.
   * @default - none
   */
  readonly ports?: readonly WorkloadPortProps[];
  /**
   * Entrypoint override.
   * @default - the image's entrypoint
   */
  readonly command?: readonly string[];
  /**
   * Arguments.
   * @default - the image's command
   */
  readonly args?: readonly string[];
  /**
   * Environment variables, rendered sorted by name: a string, or `{ valueFrom }` (a Kubernetes EnvVarSource).
   * @default - none
   */
  readonly env?: Readonly<Record<string, EnvValue>>;
  /**
   * Whole Secrets or ConfigMaps as environment variables (Kubernetes EnvFromSources).
   * @default - none
   */
  readonly envFrom?: readonly KubeFields[];
  /**
   * Requests and limits, as Kubernetes quantities: CPU as `500m` or `1.5`, memory in Mi, Gi or Ti.
   * @default - requests of 100m CPU and 128Mi memory, a limit of 128Mi memory
   */
  readonly resources?: {
    readonly requests?: { readonly cpu?: string; readonly memory?: string };
    readonly limits?: { readonly cpu?: string; readonly memory?: string };
  };
  /**
   * Readiness probe: gates endpoints and rollout progress.
   * @default - none (a pod counts as ready once it runs)
   */
  readonly readinessProbe?: Probe;
  /**
   * Liveness probe: restarts a stuck container.
   * @default - none
   */
  readonly livenessProbe?: Probe;
  /**
   * Startup probe: holds liveness back while the app starts.
   * @default - none
   */
  readonly startupProbe?: Probe;
  /**
   * Hook run before SIGTERM, for graceful offline (e.g. `sleep 15` while endpoints update).
   * @default - none
   */
  readonly preStop?: PreStopHook;
  /**
   * Seconds between SIGTERM and SIGKILL.
   * @default 30
   */
  readonly terminationGracePeriodSeconds?: number;
  /**
   * Seconds a new pod must be ready before it counts as available.
   * @default 0
   */
  readonly minReadySeconds?: number;
  /**
   * Seconds without progress before the rollout is reported failed.
   * @default 600
   */
  readonly progressDeadlineSeconds?: number;
  /**
   * Old ReplicaSets kept for `kubectl rollout undo`.
   * @default 10
   */
  readonly revisionHistoryLimit?: number;
  /**
   * How the Deployment replaces its pods.
   * @default - RollingUpdate with maxSurge 25% and maxUnavailable 0
   */
  readonly strategy?: DeploymentStrategy;
  /**
   * Volumes and where they are mounted.
   * @default - none
   */
  readonly volumes?: readonly WorkloadVolumeProps[];
  /**
   * Image pull policy.
   * @default 'IfNotPresent'
   */
  readonly imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  /**
   * Departures from the restricted Pod Security Standard.
   * @default - none: every pod meets the restricted standard
   */
  readonly securityOverrides?: SecurityOverridesProps;
  /**
   * `maxUnavailable` of the workload's PodDisruptionBudget, or `false` for no PodDisruptionBudget.
   * @default 1
   */
  readonly disruptionBudget?: IntOrPercent | false;
  /**
   * Any other PodSpec field, as Kubernetes writes it (nodeSelector, affinity, tolerations,
   * serviceAccountName, initContainers, sidecar containers...). Never `securityContext` or
   * `terminationGracePeriodSeconds`; sidecars and init containers get the restricted security context.
   * @default - none
   */
  readonly pod?: KubeFields;
  /**
   * Any other Container field of the main container, as Kubernetes writes it. Never `name`,
   * `image`, `securityContext`, `resources`, `imagePullPolicy`, nor a field another prop sets.
   * @default - none
   */
  readonly containerSpec?: KubeFields;
}

/** A workload's definition and its state in the stage, with every default resolved. */
export interface ResolvedWorkload {
  /** The definition. */
  readonly workload: Workload;
  /** Replicas, image and paused in the stage. */
  readonly state: WorkloadInStage;
  /** The Deployment's `kubernetes.io/change-cause`, if any. */
  readonly changeCause?: string;
}

/** `props` with every default resolved (once, here). */
export function resolveWorkload(props: WorkloadProps): ResolvedWorkload {
  const defaults = WORKLOAD_DEFAULTS;
  const overrides = props.securityOverrides;
  const disruptionBudget = props.disruptionBudget ?? defaults.disruptionBudget;
  const workload: Workload = {
    name: props.name,
    labels: props.labels,
    selector: {
      matchLabels: props.selector?.matchLabels ?? (props.selector?.matchExpressions ? {} : props.labels),
      matchExpressions: props.selector?.matchExpressions ?? [],
    },
    podAnnotations: props.podAnnotations ?? {},
    containerName: props.containerName ?? defaults.containerName,
    ports: (props.ports ?? []).map((p) => ({ ...p, protocol: p.protocol ?? 'TCP' })),
    command: props.command,
    args: props.args,
    env: props.env ?? {},
    resources: props.resources ? { requests: props.resources.requests ?? {}, limits: props.resources.limits ?? {} } : defaults.resources,
    readinessProbe: props.readinessProbe,
    livenessProbe: props.livenessProbe,
    startupProbe: props.startupProbe,
    preStop: props.preStop,
    terminationGracePeriodSeconds: props.terminationGracePeriodSeconds ?? defaults.terminationGracePeriodSeconds,
    minReadySeconds: props.minReadySeconds ?? defaults.minReadySeconds,
    progressDeadlineSeconds: props.progressDeadlineSeconds ?? defaults.progressDeadlineSeconds,
    revisionHistoryLimit: props.revisionHistoryLimit ?? defaults.revisionHistoryLimit,
    strategy: props.strategy ?? defaults.strategy,
    volumes: (props.volumes ?? []).map((v) => ({ ...v, readOnly: v.readOnly ?? false })),
    imagePullPolicy: props.imagePullPolicy ?? defaults.imagePullPolicy,
    securityOverrides: overrides && {
      reason: overrides.reason,
      runAsRoot: overrides.runAsRoot ?? false,
      runAsUser: overrides.runAsUser,
      writableRootFilesystem: overrides.writableRootFilesystem ?? false,
      addCapabilities: overrides.addCapabilities ?? [],
      hostPath: overrides.hostPath ?? false,
    },
    disruptionBudget: disruptionBudget === false ? undefined : disruptionBudget,
    ...(props.envFrom ? { envFrom: props.envFrom } : {}),
    ...(props.pod ? { pod: props.pod } : {}),
    ...(props.containerSpec ? { containerSpec: props.containerSpec } : {}),
  };
  return {
    workload,
    state: { replicas: props.replicas, image: props.image, paused: props.paused ?? false },
    changeCause: props.changeCause,
  };
}

/** The props that render `workload` as it is in a stage (the inverse of {@link resolveWorkload}). */
export function workloadProps(workload: Workload, state: WorkloadInStage, changeCause?: string): WorkloadProps {
  // The stage's own definition, if any, is `workload` already (see `definitionIn`).
  const { replicas, image, paused } = state;
  return {
    ...workload,
    replicas,
    image,
    paused,
    disruptionBudget: workload.disruptionBudget ?? false,
    ...(changeCause === undefined ? {} : { changeCause }),
  };
}

/**
 * What cdk8s-plus or the API server would refuse in one resolved workload, or render other than
 * asked, with key paths under `keyPath` (the prop, e.g. `workloads[1]`).
 */
export function workloadProblems(resolved: ResolvedWorkload, keyPath: string): StepwiseError[] {
  const { workload, state } = resolved;
  const problems: StepwiseError[] = [];
  const report = (at: string, problem: string, fix: string) =>
    problems.push(new StepwiseError({ keyPath: joinKeyPath(keyPath, at), problem, fix }));
  const nameProblem = objectNameProblem(workload.name);
  if (nameProblem) report('name', nameProblem, 'use a Kubernetes object name, e.g. api-canary');
  if (!Number.isInteger(state.replicas) || state.replicas < 0) {
    report('replicas', `must be a whole number >= 0, got ${state.replicas}`, 'set a replica count such as 1');
  }
  if (state.image.trim() === '') report('image', 'is empty', 'set the image to run, e.g. registry.example.com/api:1.4.0');
  if (Object.keys(workload.labels).length === 0) {
    report('labels', 'is empty: no Service could select the pods', 'give the pods the label the Service selects, e.g. { app: api }');
  } else if (!workloadSelectorMatches(workload.selector, workload.labels)) {
    report('selector', "does not select the workload's own labels, which Kubernetes refuses", 'select a subset of `labels`');
  }
  for (const kind of ['requests', 'limits'] as const) {
    const { cpu, memory } = workload.resources[kind];
    if (cpu !== undefined && !CPU_QUANTITY.test(cpu)) {
      report(`resources.${kind}.cpu`, `'${cpu}' is not a CPU quantity stepwise renders`, "write millicores ('500m') or cores ('1.5')");
    }
    if (memory !== undefined && !MEMORY_REQUEST_QUANTITY.test(memory)) {
      report(
        `resources.${kind}.memory`,
        `'${memory}' is not a memory quantity stepwise renders`,
        "write Mi, Gi or Ti ('512Mi', '2Gi'), or e.g. '512M'",
      );
    }
  }
  workload.volumes.forEach((volume, i) => {
    const sizeLimit = 'emptyDir' in volume.source ? volume.source.emptyDir.sizeLimit : undefined;
    if (sizeLimit !== undefined && !MEMORY_REQUEST_QUANTITY.test(sizeLimit)) {
      report(
        `volumes[${i}].source.emptyDir.sizeLimit`,
        `'${sizeLimit}' is not a quantity stepwise renders`,
        "write e.g. '64Mi', '2Gi' or '512M'",
      );
    }
    if ('hostPath' in volume.source && !workload.securityOverrides?.hostPath) {
      report(
        `volumes[${i}].source.hostPath`,
        'the restricted Pod Security Standard forbids hostPath volumes',
        'set securityOverrides.hostPath, with a reason',
      );
    }
  });
  const context = {
    mainContainer: workload.containerName,
    structuredKeys: new Set(
      (
        ['command', 'args', 'env', 'envFrom', 'ports', 'readinessProbe', 'livenessProbe', 'startupProbe', 'preStop', 'volumes'] as const
      ).filter((key) => {
        const value = workload[key];
        return Array.isArray(value)
          ? value.length > 0
          : value !== undefined && (typeof value !== 'object' || Object.keys(value).length > 0);
      }),
    ),
    allowsHostPath: workload.securityOverrides?.hostPath ?? false,
  };
  if (workload.pod) problems.push(...podPassthroughProblems(workload.pod, joinKeyPath(keyPath, 'pod'), context));
  if (workload.containerSpec)
    problems.push(...containerPassthroughProblems(workload.containerSpec, joinKeyPath(keyPath, 'containerSpec'), context));
  return [...problems, ...podTemplateProblems(workload, keyPath)];
}

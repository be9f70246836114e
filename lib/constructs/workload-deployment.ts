import { ApiObject, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  MEMORY_QUANTITY,
  type KubeFields,
  type Labels,
  type PreStopHook,
  type Probe,
  type Workload,
  type WorkloadInStage,
  type WorkloadSelector,
} from '../model';
import {
  POD_SECCOMP_PROFILE,
  containerCapabilities,
  containerSecurityContext,
  containerSecurityContextJson,
  podSecurityContext,
} from './pod-security';
import { cpuQuantity, memoryQuantity } from './quantities';

/** Props of {@link WorkloadDeployment}. */
export interface WorkloadDeploymentProps {
  /**
   * Namespace of the Deployment and PodDisruptionBudget.
   * @default - the chart's namespace, else the one they are applied to
   */
  readonly namespace?: string;
  /**
   * Labels on both objects besides the workload's own (team, …); never on the pods.
   * @default - none
   */
  readonly commonLabels?: Labels;
  /** The workload's definition, every default resolved (see `resolveWorkload`). */
  readonly workload: Workload;
  /** Its replicas, image and paused flag in the stage being rendered. */
  readonly state: WorkloadInStage;
  /**
   * The Deployment's `kubernetes.io/change-cause` annotation, which the Deployment controller
   * copies to the ReplicaSet of the current revision, so `kubectl rollout history` shows it.
   * On the Deployment, not its pod template: changing it alone rolls no pods.
   * @default - none
   */
  readonly changeCause?: string;
  /**
   * The PodDisruptionBudget's selector. Narrower than the Deployment's when that one also matches
   * another workload's pods (`disruptionBudgetSelector` in lib/model/workload-overlap.ts): the
   * eviction API refuses to evict a pod that two budgets select.
   * @default - the Deployment's selector
   */
  readonly disruptionBudgetSelector?: WorkloadSelector;
}

/** Label cdk8s-plus puts on every pod; stepwise selects pods by the plan's labels only. */
const CDK8S_ADDRESS_LABEL = 'cdk8s.io/metadata.addr';

/** Labels stepwise puts on the objects it renders (not on pods, so adopting stepwise rolls nothing). */
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'stepwise' } as const;

/** The annotation `kubectl rollout history` shows as a revision's CHANGE-CAUSE. */
export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';

/**
 * The change-cause stepwise records for a pod template that stage `stage` brought in. Only a
 * stage's name, so a stage renders the same every time (a second `pulumi up` changes nothing,
 * synth output is deterministic).
 */
export function changeCause(stage: string): string {
  return `stepwise: stage ${stage}`;
}

/**
 * One workload in one stage: a Deployment whose name and selector never change across
 * stages, and its PodDisruptionBudget.
 */
export class WorkloadDeployment extends Construct {
  /** The rendered Deployment. */
  readonly deployment: kplus.Deployment;
  /** The PodDisruptionBudget, when the workload has one. */
  readonly disruptionBudget?: ApiObject;

  constructor(scope: Construct, id: string, props: WorkloadDeploymentProps) {
    super(scope, id);
    const { namespace, workload, state } = props;
    const objectLabels = { ...props.commonLabels, ...workload.labels, ...MANAGED_BY };

    this.deployment = new kplus.Deployment(this, 'Deployment', {
      // On the Deployment, not its pod template: a new change-cause alone must not roll pods.
      metadata: {
        name: workload.name,
        namespace,
        labels: objectLabels,
        ...(props.changeCause === undefined ? {} : { annotations: { [CHANGE_CAUSE_ANNOTATION]: props.changeCause } }),
      },
      replicas: state.replicas,
      select: false,
      podMetadata: { labels: { ...workload.labels }, annotations: { ...workload.podAnnotations } },
      minReady: Duration.seconds(workload.minReadySeconds),
      progressDeadline: Duration.seconds(workload.progressDeadlineSeconds),
      strategy: deploymentStrategy(workload),
      terminationGracePeriod: Duration.seconds(workload.terminationGracePeriodSeconds),
      securityContext: podSecurityContext(workload),
      containers: [],
    });
    this.deployment.select(
      kplus.LabelSelector.of({
        labels: { ...workload.selector.matchLabels },
        expressions: workload.selector.matchExpressions.map((e) => labelExpression(e.key, e.operator, [...e.values])),
      }),
    );
    // What cdk8s-plus-27 cannot express (valueFrom, named ports, gRPC probes, preStop sleep,
    // decimal memory and sizeLimits, Secret/PVC/projected volumes, the passthrough) is rendered with a stand-in
    // first and patched in after, so the object keeps cdk8s-plus's shape for everything else.
    const patches: JsonPatch[] = [];
    const main = '/spec/template/spec/containers/0';
    const envNames = Object.keys(workload.env).sort();
    const memory = (quantity: string | undefined, at: string) => {
      if (quantity === undefined || MEMORY_QUANTITY.test(quantity)) return opt(quantity, memoryQuantity);
      patches.push(JsonPatch.replace(`${main}/resources/${at}/memory`, quantity));
      return memoryQuantity('1Mi');
    };
    const probe = (value: Probe | undefined, key: string) => {
      if (value === undefined) return undefined;
      if (!needsPatch(value)) return toProbe(value);
      patches.push(JsonPatch.replace(`${main}/${key}`, probeJson(value)));
      return kplus.Probe.fromTcpSocket({ port: 1 });
    };
    const container = this.deployment.addContainer({
      name: workload.containerName,
      image: state.image,
      imagePullPolicy: workload.imagePullPolicy as kplus.ImagePullPolicy,
      ports: workload.ports.map((p) => ({ number: p.containerPort, name: p.name, protocol: p.protocol as kplus.Protocol })),
      command: workload.command ? [...workload.command] : undefined,
      args: workload.args ? [...workload.args] : undefined,
      envVariables: Object.fromEntries(
        envNames.map((k) => {
          const value = workload.env[k];
          return [k, kplus.EnvValue.fromValue(typeof value === 'string' ? value : '')];
        }),
      ),
      resources: {
        cpu: { request: opt(workload.resources.requests.cpu, cpuQuantity), limit: opt(workload.resources.limits.cpu, cpuQuantity) },
        memory: {
          request: memory(workload.resources.requests.memory, 'requests'),
          limit: memory(workload.resources.limits.memory, 'limits'),
        },
      },
      readiness: probe(workload.readinessProbe, 'readinessProbe'),
      liveness: probe(workload.livenessProbe, 'livenessProbe'),
      startup: probe(workload.startupProbe, 'startupProbe'),
      lifecycle: workload.preStop
        ? { preStop: preStopHandler(workload.preStop, (json) => patches.push(JsonPatch.replace(`${main}/lifecycle/preStop`, json))) }
        : undefined,
      securityContext: containerSecurityContext(workload),
    });
    if (envNames.some((k) => typeof workload.env[k] !== 'string')) {
      patches.push(
        JsonPatch.replace(
          `${main}/env`,
          envNames.map((name) => {
            const value = workload.env[name];
            return typeof value === 'string' ? { name, value } : { name, valueFrom: value.valueFrom };
          }),
        ),
      );
    }
    workload.volumes.forEach((volume, i) => {
      container.mount(volume.mountPath, this.volume(volume), { readOnly: volume.readOnly });
      const source = volume.source;
      // A sizeLimit cdk8s cannot write in Mi (512M, 1.5Gi) is rendered as written.
      if ('emptyDir' in source && source.emptyDir.sizeLimit !== undefined && !MEMORY_QUANTITY.test(source.emptyDir.sizeLimit)) {
        patches.push(JsonPatch.replace(`/spec/template/spec/volumes/${i}/emptyDir/sizeLimit`, source.emptyDir.sizeLimit));
      }
      if ('secret' in source || 'persistentVolumeClaim' in source || 'projected' in source) {
        patches.push(JsonPatch.replace(`/spec/template/spec/volumes/${i}`, { name: volume.name, ...source }));
      }
    });

    // What cdk8s-plus-27 has no prop for is set on its output, after its own typed pass: the
    // restricted seccomp profile and capabilities, the history limit and `paused`; its pod label
    // `cdk8s.io/metadata.addr` is taken off (stepwise selects pods by the plan's labels only).
    // Then the patches of what it cannot express, so they reach the manifest as written.
    const deploymentObject = ApiObject.of(this.deployment);
    const typed = deploymentObject.toJson.bind(deploymentObject);
    const late = [...patches, ...passthroughPatches(workload)];
    deploymentObject.toJson = () => {
      const json = completeDeployment(typed() as DeploymentJson, workload, state.paused);
      return late.length > 0 ? (JsonPatch.apply(json, ...late) as unknown) : json;
    };

    if (workload.disruptionBudget !== undefined) {
      const budgetSelector = props.disruptionBudgetSelector ?? workload.selector;
      this.disruptionBudget = new ApiObject(this, 'DisruptionBudget', {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name: workload.name, namespace, labels: objectLabels },
        spec: {
          maxUnavailable: workload.disruptionBudget,
          selector: {
            matchLabels: { ...budgetSelector.matchLabels },
            ...(budgetSelector.matchExpressions.length > 0
              ? {
                  matchExpressions: budgetSelector.matchExpressions.map((e) => ({
                    key: e.key,
                    operator: e.operator,
                    values: e.values.length ? [...e.values] : undefined,
                  })),
                }
              : {}),
          },
        },
      });
    }
  }

  private volume(volume: Workload['volumes'][number]): kplus.Volume {
    const source = volume.source;
    if ('emptyDir' in source) {
      return kplus.Volume.fromEmptyDir(this, `volume-${volume.name}`, volume.name, {
        medium: source.emptyDir.medium === 'Memory' ? kplus.EmptyDirMedium.MEMORY : undefined,
        sizeLimit: opt(source.emptyDir.sizeLimit, (quantity) => memoryQuantity(MEMORY_QUANTITY.test(quantity) ? quantity : '1Mi')),
      });
    }
    if ('hostPath' in source) {
      return kplus.Volume.fromHostPath(this, `volume-${volume.name}`, volume.name, {
        path: source.hostPath.path,
        type: (source.hostPath.type ?? '') as kplus.HostPathVolumeType,
      });
    }
    if ('configMap' in source) {
      const configMap = kplus.ConfigMap.fromConfigMapName(this, `configmap-${volume.name}`, source.configMap.name);
      return kplus.Volume.fromConfigMap(this, `volume-${volume.name}`, configMap, { name: volume.name });
    }
    // A stand-in the constructor replaces with the source as written (Secret, PVC, projected).
    return kplus.Volume.fromEmptyDir(this, `volume-${volume.name}`, volume.name);
  }
}

/** The parts of cdk8s-plus-27's Deployment JSON that {@link completeDeployment} sets. */
interface DeploymentJson {
  spec: {
    revisionHistoryLimit?: number;
    paused?: boolean;
    template: {
      metadata: { labels?: Record<string, string> };
      spec: { securityContext?: Record<string, unknown>; containers: Array<{ securityContext?: Record<string, unknown> }> };
    };
  };
}

/**
 * Sets on cdk8s-plus-27's rendered Deployment what it has no prop for (see the constructor), in
 * place: the JSON is the fresh output of one `toJson()` call, so nothing else holds it.
 */
function completeDeployment(json: DeploymentJson, workload: Workload, paused: boolean): DeploymentJson {
  const { spec } = json;
  const pod = spec.template;
  if (pod.metadata.labels) delete pod.metadata.labels[CDK8S_ADDRESS_LABEL];
  pod.spec.securityContext = { ...pod.spec.securityContext, seccompProfile: { ...POD_SECCOMP_PROFILE } };
  const main = pod.spec.containers[0];
  main.securityContext = { ...main.securityContext, capabilities: containerCapabilities(workload) };
  spec.revisionHistoryLimit = workload.revisionHistoryLimit;
  if (paused) spec.paused = true;
  return json;
}

function deploymentStrategy(workload: Workload): kplus.DeploymentStrategy {
  const strategy = workload.strategy;
  if (strategy.type === 'Recreate') return kplus.DeploymentStrategy.recreate();
  const amount = (v: number | string) =>
    typeof v === 'number' ? kplus.PercentOrAbsolute.absolute(v) : kplus.PercentOrAbsolute.percent(Number(v.slice(0, -1)));
  return kplus.DeploymentStrategy.rollingUpdate({ maxSurge: amount(strategy.maxSurge), maxUnavailable: amount(strategy.maxUnavailable) });
}

function labelExpression(key: string, operator: string, values: string[]): kplus.LabelExpression {
  switch (operator) {
    case 'In':
      return kplus.LabelExpression.in(key, values);
    case 'NotIn':
      return kplus.LabelExpression.notIn(key, values);
    case 'Exists':
      return kplus.LabelExpression.exists(key);
    default:
      return kplus.LabelExpression.doesNotExist(key);
  }
}

function toProbe(probe: Probe): kplus.Probe {
  const options = {
    initialDelaySeconds: opt(probe.initialDelaySeconds, Duration.seconds),
    periodSeconds: opt(probe.periodSeconds, Duration.seconds),
    timeoutSeconds: opt(probe.timeoutSeconds, Duration.seconds),
    failureThreshold: probe.failureThreshold,
    successThreshold: probe.successThreshold,
  };
  // Ports by number only here: a probe with a named port is patched in (see needsPatch).
  if (probe.httpGet) return kplus.Probe.fromHttpGet(probe.httpGet.path, { ...options, port: probe.httpGet.port as number });
  if (probe.tcpSocket) return kplus.Probe.fromTcpSocket({ ...options, port: probe.tcpSocket.port as number });
  return kplus.Probe.fromCommand([...(probe.exec?.command ?? [])], options);
}

/** True when a probe needs what cdk8s-plus-27 cannot write: a gRPC check or a port by name. */
function needsPatch(probe: Probe): boolean {
  return probe.grpc !== undefined || typeof probe.httpGet?.port === 'string' || typeof probe.tcpSocket?.port === 'string';
}

/** A probe as Kubernetes writes it (the shape cdk8s-plus renders, `scheme: HTTP` included). */
function probeJson(probe: Probe): Record<string, unknown> {
  const handler = probe.grpc
    ? { grpc: { ...probe.grpc } }
    : probe.httpGet
      ? { httpGet: { path: probe.httpGet.path, port: probe.httpGet.port, scheme: 'HTTP' } }
      : probe.tcpSocket
        ? { tcpSocket: { port: probe.tcpSocket.port } }
        : { exec: { command: [...(probe.exec?.command ?? [])] } };
  const timing = (['initialDelaySeconds', 'periodSeconds', 'timeoutSeconds', 'failureThreshold', 'successThreshold'] as const).filter(
    (key) => probe[key] !== undefined,
  );
  return { ...handler, ...Object.fromEntries(timing.map((key) => [key, probe[key]])) };
}

/** The preStop handler; a sleep or a named port is handed to `patch` as Kubernetes writes it, with a stand-in returned. */
function preStopHandler(hook: PreStopHook, patch: (json: Record<string, unknown>) => void): kplus.Handler {
  if ('exec' in hook) return kplus.Handler.fromCommand([...hook.exec.command]);
  if ('sleep' in hook) {
    patch({ sleep: { seconds: hook.sleep.seconds } });
  } else if (typeof hook.httpGet.port === 'string') {
    patch({ httpGet: { path: hook.httpGet.path, port: hook.httpGet.port, scheme: 'HTTP' } });
  } else {
    return kplus.Handler.fromHttpGet(hook.httpGet.path, { port: hook.httpGet.port });
  }
  return kplus.Handler.fromCommand(['true']);
}

/**
 * The `pod` and `containerSpec` passthrough as JSON patches: PodSpec fields replace what
 * cdk8s-plus rendered (e.g. `automountServiceAccountToken`), sidecars follow the main container,
 * and every sidecar and init container gets the restricted security context.
 */
function passthroughPatches(workload: Workload): JsonPatch[] {
  const patches: JsonPatch[] = [];
  const secured = (containers: unknown) =>
    (Array.isArray(containers) ? containers : []).map((c) => ({
      ...(c as KubeFields),
      securityContext: containerSecurityContextJson(workload),
    }));
  for (const [key, value] of Object.entries(workload.pod ?? {})) {
    if (key === 'containers') {
      for (const sidecar of secured(value)) patches.push(JsonPatch.add('/spec/template/spec/containers/-', sidecar));
    } else if (key === 'initContainers') {
      patches.push(JsonPatch.add('/spec/template/spec/initContainers', secured(value)));
    } else {
      patches.push(JsonPatch.add(`/spec/template/spec/${key}`, value));
    }
  }
  if (workload.envFrom && workload.envFrom.length > 0)
    patches.push(JsonPatch.add('/spec/template/spec/containers/0/envFrom', workload.envFrom));
  for (const [key, value] of Object.entries(workload.containerSpec ?? {})) {
    patches.push(JsonPatch.add(`/spec/template/spec/containers/0/${key}`, value));
  }
  return patches;
}

function opt<T, R>(value: T | undefined, convert: (value: T) => R): R | undefined {
  return value === undefined ? undefined : convert(value);
}

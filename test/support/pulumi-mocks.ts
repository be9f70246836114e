import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { deployStack, type DeployStackOptions } from '../../lib/pulumi/deploy-stack';
import type { ReleaseComponent } from '../../lib/pulumi/release-component';
import { stackFilePath, stackFromConfig, type Stack } from '../../lib/stacks';
import { exampleConfig } from './example-stacks';

/** One resource registration as the Pulumi engine would receive it. */
export interface Registration {
  /** Type token, e.g. `kubernetes:apps/v1:Deployment`. */
  readonly type: string;
  /** Logical name. */
  readonly name: string;
  /** The URN the mock engine gave it. */
  readonly urn: string;
  /** The parent's URN ('' for none). */
  readonly parent: string;
  /** URNs of the resources it depends on (explicit `dependsOn` and inputs). */
  readonly dependencies: readonly string[];
  /** True for provider-managed resources, false for components. */
  readonly custom: boolean;
  /** The inputs, deserialized back to plain data. */
  readonly inputs: Record<string, unknown>;
  /** Every other resource option the engine received, see {@link SentOptions}. */
  readonly options: SentOptions;
}

/**
 * The resource options of one registration as the engine receives them (after the SDK resolved
 * them: a provider inherited from the parent's `providers`, `protect` inherited from the parent,
 * the aliases and version a pulumi-kubernetes class adds itself), named as in
 * `pulumi.CustomResourceOptions`: `provider` (a `<urn>::<id>` reference), `providers`, `protect`,
 * `deleteBeforeReplace`, `ignoreChanges`, `replaceOnChanges`, `customTimeouts`, `retainOnDelete`,
 * `aliases`, `version`, `additionalSecretOutputs`, `import`, `deletedWith`, … Only options that
 * are set appear (an empty list, an empty string or an unset flag is left out), and a field of
 * the request this recorder does not know appears under its protobuf name, so no option slips by.
 * `parent` and `dependsOn` are {@link Registration.parent} and {@link Registration.dependencies}.
 */
export type SentOptions = Readonly<Record<string, unknown>>;

/** The parts of the request and monitor the recorder reads (the generated gRPC types are not exported). */
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getDependenciesList(): string[];
  getCustom(): boolean;
  getObject(): unknown;
  getDeletebeforereplacedefined(): boolean;
  toObject(): Record<string, unknown>;
}
type Callback = (error: unknown, response?: { getUrn(): string }) => void;
interface Monitor {
  registerResource(request: RegisterRequest, callback: Callback): Promise<void>;
}

/**
 * Fields of a RegisterResourceRequest that are not resource options: the resource's identity and
 * inputs, the fields recorded on their own (parent, dependencies), and how the SDK talks to the
 * engine (capabilities, source positions).
 */
const NOT_OPTIONS: ReadonlySet<string> = new Set([
  'type',
  'name',
  'custom',
  'object',
  'parent',
  'dependenciesList',
  'propertydependenciesMap',
  'deletebeforereplacedefined',
  'acceptsecrets',
  'acceptresources',
  'supportspartialvalues',
  'remote',
  'aliasspecs',
  'supportsresultreporting',
  'sourceposition',
  'stacktrace',
  'parentstacktracehandle',
]);

/** The `pulumi.CustomResourceOptions` name of a request field (protobuf names are lower case). */
const OPTION_NAMES: Readonly<Record<string, string>> = {
  provider: 'provider',
  providersMap: 'providers',
  protect: 'protect',
  deletebeforereplace: 'deleteBeforeReplace',
  ignorechangesList: 'ignoreChanges',
  replaceonchangesList: 'replaceOnChanges',
  customtimeouts: 'customTimeouts',
  retainondelete: 'retainOnDelete',
  aliasesList: 'aliases',
  aliasurnsList: 'aliasURNs',
  version: 'version',
  plugindownloadurl: 'pluginDownloadURL',
  pluginchecksumsMap: 'pluginChecksums',
  additionalsecretoutputsList: 'additionalSecretOutputs',
  importid: 'import',
  deletedwith: 'deletedWith',
  replaceWithList: 'replaceWith',
  replacementTrigger: 'replacementTrigger',
  hidediffsList: 'hideDiffs',
  transformsList: 'transforms',
  hooks: 'hooks',
  envvarmappingsMap: 'envVarMappings',
  packageref: 'packageRef',
};

/** Flags whose explicit `false` is an option too (`protect: false` overrides the parent's). */
const FLAGS_KEPT_WHEN_FALSE: ReadonlySet<string> = new Set(['protect', 'retainondelete']);

/**
 * `value` without the parts left at their default: '', false, [], {} and unset (protobuf's
 * `pb_delete`, the `delete` of `customTimeouts`, gets its option name back).
 */
function withoutDefaults(value: unknown): unknown {
  if (value === undefined || value === null || value === '' || value === false) return undefined;
  if (Array.isArray(value)) {
    const items = value.map(withoutDefaults).filter((v) => v !== undefined);
    return items.length > 0 ? items : undefined;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value)
      .map(([k, v]) => [k === 'pb_delete' ? 'delete' : k, withoutDefaults(v)] as const)
      .filter(([, v]) => v !== undefined);
    return entries.length > 0 ? Object.fromEntries(entries) : undefined;
  }
  return value;
}

/** The options a request carries, see {@link SentOptions}. */
function optionsOf(request: RegisterRequest): SentOptions {
  const options: Record<string, unknown> = {};
  for (const [field, raw] of Object.entries(request.toObject())) {
    if (NOT_OPTIONS.has(field)) continue;
    const name = OPTION_NAMES[field] ?? field;
    // Maps come as [key, value] pairs.
    const value = field.endsWith('Map') && Array.isArray(raw) ? Object.fromEntries(raw as [string, unknown][]) : raw;
    if (field === 'deletebeforereplace') {
      if (request.getDeletebeforereplacedefined()) options[name] = value;
    } else if (FLAGS_KEPT_WHEN_FALSE.has(field) && typeof value === 'boolean') {
      options[name] = value;
    } else {
      const set = withoutDefaults(value);
      if (set !== undefined) options[name] = set;
    }
  }
  return options;
}

/**
 * Replaces the Pulumi engine with mocks for stack `stack` of project `stepwise` (as
 * `pulumi.runtime.setMocks` does) and records every resource registration with what
 * `MockResourceArgs` leaves out: the parent, the dependencies and every other resource option.
 * Each call starts a fresh mock engine and a fresh, empty record. Import the program under test
 * only after calling this. `recordedOutputs` are the outputs of the stack's last update, as a
 * StackReference to the stack itself reads them (none: the stack's first update).
 */
export async function recordRegistrations(stack: string, recordedOutputs: Record<string, unknown> = {}): Promise<Registration[]> {
  await pulumi.runtime.setMocks(
    {
      // A StackReference reads the outputs of the stack's last update: `recordedOutputs`.
      newResource: (args) =>
        args.type === 'pulumi:pulumi:StackReference'
          ? { id: String(args.inputs.name), state: { ...args.inputs, outputs: recordedOutputs } }
          : { id: `${args.name}-id`, state: args.inputs },
      call: (args) => args.inputs,
    },
    'stepwise',
    stack,
    false,
    'organization',
  );
  const registrations: Registration[] = [];
  const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request, callback) =>
    register(request, (error, response) => {
      if (!error && response) {
        registrations.push({
          type: request.getType(),
          name: request.getName(),
          urn: response.getUrn(),
          parent: request.getParent(),
          dependencies: request.getDependenciesList(),
          custom: request.getCustom(),
          inputs: pulumi.runtime.deserializeProperties(
            request.getObject() as Parameters<typeof pulumi.runtime.deserializeProperties>[0],
          ) as Record<string, unknown>,
          options: optionsOf(request),
        });
      }
      callback(error, response);
    });
  return registrations;
}

/** The value of an Output once it resolves. */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

/** A stage of an example stack deployed under mocks, with what the engine received. */
export interface DeployedStage {
  /** The stack, at the stage deployed. */
  readonly stack: Stack;
  /** The release component deployStack returned. */
  readonly release: ReleaseComponent;
  /** Every registration, the component's (and an explicit provider's) included. */
  readonly registrations: readonly Registration[];
  /** The registrations of the stage's rendered objects only (no provider, no Namespace). */
  readonly objects: readonly Registration[];
  /** The registration of the plan's Namespace, unless the plan says `createNamespace: false`. */
  readonly namespace: Registration | undefined;
}

/** The pulumi-kubernetes type of a Namespace. */
const NAMESPACE_TYPE = 'kubernetes:core/v1:Namespace';

/**
 * The example stack `name` with `stepwise:stage` (and optionally `stepwise:fromStage`) set as a
 * user would set them in its file, built through the same `stackFromConfig` as `pulumi up`.
 */
export function exampleStackAt(name: string, stage: string, fromStage?: string): Stack {
  const config = exampleConfig(name);
  config['stepwise:stage'] = stage;
  if (fromStage !== undefined) config['stepwise:fromStage'] = fromStage;
  return stackFromConfig(name, stackFilePath('stacks', name), config);
}

/**
 * Deploys `stack` with `deployStack` on a fresh mock engine and waits until every registration
 * has completed. `options` may be a function, called once the mock engine is set, so that the
 * resources it creates (an explicit provider) register with that engine.
 */
export async function deployUnderMocks(
  stack: Stack,
  options: DeployStackOptions | (() => DeployStackOptions) = {},
): Promise<DeployedStage> {
  const registrations = await recordRegistrations(stack.name);
  const release = deployStack(stack, typeof options === 'function' ? options() : options);
  const namespaceUrn = release.namespace ? [valueOf(release.namespace.urn)] : [];
  await Promise.all([valueOf(release.urn), ...namespaceUrn, ...[...release.objects.values()].map((o) => valueOf(o.resource.urn))]);
  // Kubernetes objects are the custom resources that are not providers (a test may register one).
  const kube = registrations.filter((r) => r.custom && !r.type.startsWith('pulumi:providers:'));
  const objects = kube.filter((r) => r.type !== NAMESPACE_TYPE);
  return { stack, release, registrations, objects, namespace: kube.find((r) => r.type === NAMESPACE_TYPE) };
}

/** The registration whose inputs are the Kubernetes object `kind` `name`. */
export function registrationOf(objects: readonly Registration[], kind: string, name: string): Registration {
  const found = objects.find((r) => r.inputs.kind === kind && (r.inputs.metadata as { name: string }).name === name);
  if (!found) throw new Error(`no ${kind} ${name} was registered`);
  return found;
}

/**
 * `kind/name` of the objects a registration depends on for make-before-break, sorted: every
 * object also depends on the plan's Namespace, which is left out here (see `namespace`).
 */
export function dependenciesOf(registration: Registration, all: readonly Registration[]): string[] {
  return registration.dependencies
    .filter((urn) => !urn.includes(`$${NAMESPACE_TYPE}::`))
    .map((urn) => all.find((r) => r.urn === urn))
    .map((r) => (r ? `${String(r.inputs.kind)}/${(r.inputs.metadata as { name: string }).name}` : 'unknown'))
    .sort();
}

/** The pulumi-kubernetes classes with a type of their own; any other object is a `CustomResource`. */
const TYPED_CLASSES: Readonly<Record<string, new (name: string, args: any, opts: pulumi.CustomResourceOptions) => pulumi.CustomResource>> =
  {
    'kubernetes:apps/v1:Deployment': k8s.apps.v1.Deployment,
    'kubernetes:core/v1:Service': k8s.core.v1.Service,
    'kubernetes:policy/v1:PodDisruptionBudget': k8s.policy.v1.PodDisruptionBudget,
    'kubernetes:networking.k8s.io/v1:Ingress': k8s.networking.v1.Ingress,
  };

/** The top-level fields a typed pulumi-kubernetes class takes (an object with others is a `CustomResource`). */
const TYPED_FIELDS = ['apiVersion', 'kind', 'metadata', 'spec'];

/** Answers of {@link optionsSentByPulumiKubernetesFor}, by their key. */
const optionsSentByPulumiKubernetes = new Map<string, Promise<SentOptions>>();

/**
 * The options pulumi-kubernetes sends by itself for the Kubernetes object `object` (a recorded
 * registration) when the program passes no option but `parent`: its own version and, for the
 * typed classes, aliases to the kind's former apiVersions. Found by registering the same inputs
 * with the pulumi-kubernetes class directly (not through stepwise), under a component with the
 * type and name of `parent`, on a fresh mock engine of stack `stack` (so, like `deployUnderMocks`,
 * await it before registering anything else). Memoized by everything the answer depends on: the
 * stack, the parent's type and name, the class and the object's type.
 */
export function optionsSentByPulumiKubernetesFor(object: Registration, parent: Registration, stack: string): Promise<SentOptions> {
  const typed = object.type in TYPED_CLASSES && Object.keys(object.inputs).every((field) => TYPED_FIELDS.includes(field));
  const key = JSON.stringify([stack, parent.type, parent.name, object.type, typed]);
  let options = optionsSentByPulumiKubernetes.get(key);
  if (!options) {
    options = (async () => {
      const registrations = await recordRegistrations(stack);
      const component = new pulumi.ComponentResource(parent.type, parent.name);
      const opts = { parent: component };
      const resource = typed
        ? new TYPED_CLASSES[object.type](object.name, object.inputs, opts)
        : new k8s.apiextensions.CustomResource(object.name, object.inputs as k8s.apiextensions.CustomResourceArgs, opts);
      await valueOf(resource.urn);
      const registered = registrations.find((r) => r.custom);
      if (!registered || registered.parent !== parent.urn) throw new Error(`${object.name} was not registered under ${parent.urn}`);
      return registered.options;
    })();
    optionsSentByPulumiKubernetes.set(key, options);
  }
  return options;
}

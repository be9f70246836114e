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
}

/** The parts of the request and monitor the recorder reads (the generated gRPC types are not exported). */
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getDependenciesList(): string[];
  getCustom(): boolean;
  getObject(): unknown;
}
type Callback = (error: unknown, response?: { getUrn(): string }) => void;
interface Monitor {
  registerResource(request: RegisterRequest, callback: Callback): Promise<void>;
}

/**
 * Replaces the Pulumi engine with mocks for stack `stack` of project `stepwise` (as
 * `pulumi.runtime.setMocks` does) and records every resource registration with what
 * `MockResourceArgs` leaves out: the parent and the dependencies. Each call starts a fresh mock
 * engine and a fresh, empty record. Import the program under test only after calling this.
 */
export async function recordRegistrations(stack: string): Promise<Registration[]> {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
      call: (args) => args.inputs,
    },
    'stepwise',
    stack,
    false,
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
  /** Every registration, the component's included. */
  readonly registrations: readonly Registration[];
  /** The registrations of Kubernetes objects only. */
  readonly objects: readonly Registration[];
}

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
 * has completed.
 */
export async function deployUnderMocks(stack: Stack, options: DeployStackOptions = {}): Promise<DeployedStage> {
  const registrations = await recordRegistrations(stack.name);
  const release = deployStack(stack, options);
  await Promise.all([valueOf(release.urn), ...[...release.objects.values()].map((o) => valueOf(o.resource.urn))]);
  return { stack, release, registrations, objects: registrations.filter((r) => r.custom) };
}

/** The registration whose inputs are the Kubernetes object `kind` `name`. */
export function registrationOf(objects: readonly Registration[], kind: string, name: string): Registration {
  const found = objects.find((r) => r.inputs.kind === kind && (r.inputs.metadata as { name: string }).name === name);
  if (!found) throw new Error(`no ${kind} ${name} was registered`);
  return found;
}

/** `kind/name` of the objects a registration depends on, sorted. */
export function dependenciesOf(registration: Registration, all: readonly Registration[]): string[] {
  return registration.dependencies
    .map((urn) => all.find((r) => r.urn === urn))
    .map((r) => (r ? `${String(r.inputs.kind)}/${(r.inputs.metadata as { name: string }).name}` : 'unknown'))
    .sort();
}

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { POD_TEMPLATE_KEYS } from '../lib/model/pod-template';
import type { Parsed } from '../lib/model/parsed';
import type {
  ContainerPort,
  DeploymentStrategy,
  EnvValue,
  PreStopHook,
  Probe,
  ReleaseService,
  Resources,
  SecurityOverrides,
  ServicePort,
  VolumeMount,
  Workload,
  WorkloadInStage,
} from '../lib/model/plan';
import type { serviceSchema, servicePortSchema, workloadStateSchema } from '../lib/schema/plan-schema';
import {
  STAGE_TEMPLATE_KEYS,
  WORKLOAD_KEYS,
  type containerPortSchema,
  type envValueSchema,
  type preStopSchema,
  type probeSchema,
  type resourcesSchema,
  type securityOverridesSchema,
  type strategySchema,
  type volumeSchema,
  type workloadDefinitionSchema,
} from '../lib/schema/workload-schema';

/** True when `A` and `B` are the same type (checked by `npm run typecheck`). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

describe('the model types are the schemas’ output', () => {
  test('each model type is what its schema parses into, so a shape is written once', () => {
    // Compile-time: a type that drifted from its schema makes one of these `false`, which tsc refuses.
    const same: true[] = [
      true satisfies Same<Probe, Parsed<typeof probeSchema>>,
      true satisfies Same<PreStopHook, Parsed<typeof preStopSchema>>,
      true satisfies Same<ContainerPort, Parsed<typeof containerPortSchema>>,
      true satisfies Same<VolumeMount, Parsed<typeof volumeSchema>>,
      true satisfies Same<Resources, Parsed<typeof resourcesSchema>>,
      true satisfies Same<SecurityOverrides, Parsed<typeof securityOverridesSchema>>,
      true satisfies Same<DeploymentStrategy, Parsed<typeof strategySchema>>,
      true satisfies Same<EnvValue, Parsed<typeof envValueSchema>>,
      true satisfies Same<ServicePort, Parsed<typeof servicePortSchema>>,
      true satisfies Same<Omit<ReleaseService, 'name'>, Parsed<typeof serviceSchema>>,
      true satisfies Same<Omit<WorkloadInStage, 'definition'>, Parsed<typeof workloadStateSchema>>,
      true satisfies Same<Workload['resources'], Parsed<typeof workloadDefinitionSchema>['resources']>,
      true satisfies Same<Workload['volumes'], Parsed<typeof workloadDefinitionSchema>['volumes']>,
      true satisfies Same<Workload['readinessProbe'], Parsed<typeof workloadDefinitionSchema>['readinessProbe']>,
    ];
    assert.equal(same.length, 14);
  });

  test('every key of a workload is either part of its pod template or a setting of its Deployment (a new key must say which)', () => {
    // The Deployment's own settings: changing one rolls no pod. Everything else a workload
    // writes ends up in the pod template, so a stage may change it (but the labels, the
    // workload's identity, and the security overrides) and the model counts the change as a rollout.
    const deploymentSettings = [
      'selector',
      'minReadySeconds',
      'progressDeadlineSeconds',
      'revisionHistoryLimit',
      'strategy',
      'disruptionBudget',
    ];
    const templateKeys = POD_TEMPLATE_KEYS.map((key) => (key === 'containerName' ? 'container' : key));
    assert.deepEqual([...WORKLOAD_KEYS].sort(), [...deploymentSettings, ...templateKeys].sort());
    assert.deepEqual(
      templateKeys.filter((key) => !(STAGE_TEMPLATE_KEYS as readonly string[]).includes(key)),
      ['labels', 'securityOverrides'],
    );
  });
});

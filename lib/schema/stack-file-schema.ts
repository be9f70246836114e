/**
 * The shape of a whole stack file, `stacks/Pulumi.<stack>.yaml`: Pulumi stack config whose
 * `stepwise:*` keys hold the plan and the stage the cluster should be in.
 */
import { z } from 'zod';
import { objectName } from './common-schemas';
import { documented } from './documented';
import { planSchema } from './plan-schema';

/** The Pulumi project name, and so the namespace of every stepwise config key. */
export const CONFIG_NAMESPACE = 'stepwise';

const stepwiseConfig = z.looseObject({
  'stepwise:plan': documented(planSchema, 'The release plan: workloads, Services, stages and the optional sections.'),
  'stepwise:stage': documented(objectName, 'The stage the cluster should be in; `stepwise promote` and `rollback` move it.'),
  'stepwise:fromStage': documented(
    objectName.optional(),
    'The stage the cluster is in before this update, written by `promote` and `rollback`; the stage before `stepwise:stage` when left out.',
  ),
});

/**
 * A stack file. Other Pulumi config keys (another provider's, `encryptionsalt`, ...) are allowed
 * beside stepwise's; an unknown `stepwise:` key is not.
 */
export const stackFileSchema = documented(
  z.looseObject({
    config: documented(stepwiseConfig, 'Pulumi stack config; stepwise reads its `stepwise:*` keys.'),
  }),
  'A stepwise stack file (stacks/Pulumi.<stack>.yaml): Pulumi stack config holding a staged Kubernetes release.',
);

/** A stack file as written (the input type of {@link stackFileSchema}). */
export type StackFileData = z.input<typeof stackFileSchema>;

/** The stepwise config keys, without the namespace. */
export const CONFIG_KEYS: readonly string[] = Object.keys(stepwiseConfig.shape).map((key) => key.slice(CONFIG_NAMESPACE.length + 1));

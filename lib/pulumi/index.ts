/**
 * The Pulumi program (`main` in Pulumi.yaml): `pulumi up --stack <stack>` applies the stage
 * `stepwise:stage` of `stacks/Pulumi.<stack>.yaml`. All the logic is in `stepwiseProgram`; the
 * Pulumi Node.js runtime calls the exported function and makes the object it resolves to the stack
 * outputs: `stage` (the stage the stack is now in), `fromStage` (the one the update moved from),
 * `workloads` (replicas, image, expected traffic share) and `services` (selector, endpoints,
 * expected traffic share per workload).
 */
import { stepwiseProgram } from './program';

export = stepwiseProgram;

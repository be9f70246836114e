/**
 * The Pulumi program (`main` in Pulumi.yaml): `pulumi up --stack <stack>` applies the stage
 * `stepwise:stage` of `stacks/Pulumi.<stack>.yaml`. All the logic is in `stepwiseProgram`; this
 * file only exports its results as stack outputs.
 */
import { stepwiseProgram } from './program';

const release = stepwiseProgram();

/** The stage the stack is now in. */
export const stage = release.stage;
/** The stage it was in before this update. */
export const fromStage = release.fromStage;
/** Per workload: replicas, image and expected traffic share. */
export const workloads = release.workloads;
/** Per Service: selector, endpoints and expected traffic share per workload. */
export const services = release.services;

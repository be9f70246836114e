/**
 * The Pulumi program (`main` in Pulumi.yaml): `pulumi up` applies the stage `stage` of the
 * stack's config (`baseline` when unset) and exports what runs.
 */
import * as pulumi from '@pulumi/pulumi';
import { STAGES, apiRelease, type StageName } from './api-release';

const config = new pulumi.Config();
const stage = config.get('stage') ?? 'baseline';
if (!Object.prototype.hasOwnProperty.call(STAGES, stage)) {
  throw new pulumi.RunError(`stage '${stage}' is not a stage of the release (fix: use one of ${Object.keys(STAGES).join(', ')})`);
}
const release = apiRelease(stage as StageName);

/** The stage the release is in. */
export const currentStage = release.stage;
/** Per workload: replicas, image and share of requests. */
export const workloads = release.workloads;
/** Per Service: selector, endpoints and share of requests per workload. */
export const services = release.services;

/**
 * Run by test/v8-hidden-classes.test.ts in a process of its own, with the hidden-class probe:
 * computes, for the stack file given as the argument, what the Pulumi program outputs for its
 * stage (`releaseOutputs`) and what `stepwise status` compares for a namespace with nothing in it
 * (`serviceTraffic`). Both make a record of traffic shares per Service.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { releaseOutputs } from '../../lib/pulumi/release-outputs';
import { stackFromText } from '../../lib/stacks/stack-file';
import { serviceTraffic } from '../../lib/status/live-traffic';
import { emptyCluster } from './live-cluster';

const file = process.argv[2];
const stack = stackFromText(path.basename(file).replace(/^Pulumi\.|\.yaml$/g, ''), file, fs.readFileSync(file, 'utf8'));
const outputs = releaseOutputs(stack);
const services = serviceTraffic(
  stack.plan,
  stack.plan.traffic,
  stack.stageIndex,
  emptyCluster(stack.plan.namespace ?? 'default'),
  undefined,
);
process.stdout.write(`${Object.keys(outputs.services).length} ${services.length}\n`);

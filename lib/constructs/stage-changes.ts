/**
 * Which objects can differ between two stages, found from what they are made of rather than by
 * rendering them: `stepwise diff` renders only these, so a review of a stage change that touches
 * one workload in a thousand renders that workload, not the thousand.
 */
import { isDeepStrictEqual } from 'node:util';
import type { StageObjectProps, StageObjectSelection } from './stage-objects';

/**
 * The objects of each side that may render differently from the other side's: every workload and
 * Service except those both sides make from deep-equal props (`StageObjectProps`: same name,
 * namespace, labels, definition, stage values, budget selector, change cause and sync wave). Those
 * render the same on both sides, so a diff of the two renders would show nothing for them.
 */
export function changedObjects(
  before: StageObjectProps,
  after: StageObjectProps,
): { before: StageObjectSelection; after: StageObjectSelection } {
  const unchanged = <T>(mine: ReadonlyMap<string, T>, theirs: ReadonlyMap<string, T>) =>
    new Set([...mine.keys()].filter((name) => theirs.has(name) && isDeepStrictEqual(mine.get(name), theirs.get(name))));
  const sameWorkloads = unchanged(before.workloads, after.workloads);
  const sameServices = unchanged(before.services, after.services);
  const select = (side: StageObjectProps): StageObjectSelection => ({
    workloads: new Set([...side.workloads.keys()].filter((name) => !sameWorkloads.has(name))),
    services: new Set([...side.services.keys()].filter((name) => !sameServices.has(name))),
  });
  return { before: select(before), after: select(after) };
}

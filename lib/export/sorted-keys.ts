/** Moved to the model (rendering sorts with it too); re-exported for the exporters' imports. */
export { sortedKeys } from '../model/sorted-keys';

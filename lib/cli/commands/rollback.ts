import type { Command } from '../command';
import { stageMoveCommand } from './promote';

/**
 * `stepwise rollback <stack>`: `promote` in the other direction (to the previous stage, or an
 * earlier `--to`), with the same checks and file edit, and never the metric gate.
 */
export const command: Command = stageMoveCommand('rollback');

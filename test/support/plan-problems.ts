import assert from 'node:assert/strict';
import { StepwiseErrors, parsePlan, stepwiseErrorsOf } from '../../lib/model';

/** The messages parsePlan reports for `data` (fails the test when it parses). */
export function planProblems(data: unknown): string[] {
  try {
    parsePlan(data);
  } catch (error) {
    assert.ok(error instanceof StepwiseErrors, `expected StepwiseErrors, got ${String(error)}`);
    return stepwiseErrorsOf(error).map((e) => e.message);
  }
  assert.fail('the plan was accepted');
}

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { parsePlan, stepwiseErrorsOf } from '../lib/model';
import { PlainDataReader } from '../lib/model/plain-data';
import { parseWithSchema } from '../lib/model/schema-problems';
import { count, portNumber } from '../lib/schema';
import { examplePlanData } from './support/example-stacks';

/** The messages parsing `data` with `schema` at `keyPath` reports (none when it parses). */
function schemaMessages(schema: z.ZodType, data: unknown, keyPath = 'at'): string[] {
  const parsed = parseWithSchema(schema, data, keyPath);
  return 'problems' in parsed ? parsed.problems.map((p) => p.message) : [];
}

/** The messages a PlainDataReader reading `data` with `read` reports. */
function readerMessages(read: (r: PlainDataReader) => unknown): string[] {
  const r = new PlainDataReader();
  read(r);
  return r.errors.map((e) => e.message);
}

/** The messages parsePlan reports for `data`. */
function planMessages(data: unknown): string[] {
  try {
    parsePlan(data);
    return [];
  } catch (error) {
    return stepwiseErrorsOf(error).map((e) => e.message);
  }
}

describe('zod issues as stepwise problems', () => {
  test('a misspelt gitops key is reported with the key it probably meant', () => {
    const data = examplePlanData('search-nginx');
    data.gitops = { syncWave: true };
    assert.deepEqual(planMessages(data), ["gitops.syncWave: is not a known key (fix: did you mean 'syncWaves'?)"]);
  });

  test('a gitops section that is not a mapping says so, as every other section does', () => {
    const data = examplePlanData('search-nginx');
    data.gitops = [true];
    assert.deepEqual(planMessages(data), ['gitops: must be a mapping, got a list (fix: write it as `key: value` lines)']);
  });

  test('a syncWaves that is not a boolean reads like any other boolean', () => {
    const data = examplePlanData('search-nginx');
    data.gitops.syncWaves = 'yes';
    assert.deepEqual(
      planMessages(data),
      readerMessages((r) => r.boolean('yes', 'gitops.syncWaves')),
    );
  });

  test('counts out of range read as PlainDataReader words them, naming the int32 bound only beyond it', () => {
    for (const value of [-1, 1.5, 2147483648, 'three']) {
      assert.deepEqual(
        schemaMessages(count(), value),
        readerMessages((r) => r.count(value, 'at')),
        String(value),
      );
    }
  });

  test('a port out of range names its range', () => {
    for (const value of [0, 70000]) {
      assert.deepEqual(
        schemaMessages(portNumber, value),
        readerMessages((r) => r.wholeNumber(value, 'at', 1, 65535)),
      );
    }
  });

  test('a choice that is not one of the schema’s gets "did you mean"', () => {
    const choices = ['Always', 'IfNotPresent', 'Never'] as const;
    assert.deepEqual(
      schemaMessages(z.enum(choices), 'Allways'),
      readerMessages((r) => r.oneOf('Allways', 'at', choices)),
    );
  });

  test('keys, lists and strings deep in a value are reported at their full key path', () => {
    const schema = z.strictObject({ items: z.array(z.strictObject({ name: z.string().min(1) })) });
    assert.deepEqual(schemaMessages(schema, { items: [{ name: '' }, { nam: 'x' }] }, 'plan'), [
      'plan.items[0].name: must be a non-empty string, got "" (fix: give a non-empty string)',
      'plan.items[1].name: must be a non-empty string, got nothing (fix: give a non-empty string)',
      "plan.items[1].nam: is not a known key (fix: did you mean 'name'?)",
    ]);
    assert.deepEqual(schemaMessages(schema, { items: 'x' }, 'plan'), [
      'plan.items: must be a list, got "x" (fix: write it as `- item` lines)',
    ]);
  });

  test('a capacity floor that is neither a count nor a percent up to 100% is worded by its own schema', () => {
    const expected: [unknown, string][] = [
      ['150%', 'must be a whole number >= 0 or a percentage from "0%" to "100%", got "150%"'],
      [-1, 'must be a whole number >= 0 or a percentage from "0%" to "100%", got -1'],
      [2147483648, 'must be a whole number from 0 to 2147483647 or a percentage from "0%" to "100%", got 2147483648'],
      ['most', 'must be a whole number >= 0 or a percentage from "0%" to "100%", got "most"'],
    ];
    for (const [capacityFloor, problem] of expected) {
      const data = examplePlanData('fop-gate');
      data.checks = { capacityFloor };
      assert.deepEqual(planMessages(data), [`checks.capacityFloor: ${problem} (fix: e.g. 1 or "25%")`], String(capacityFloor));
    }
  });

  test('a capacity floor as a count or a percent is kept as written', () => {
    for (const capacityFloor of [8, '75%', '100%']) {
      const data = examplePlanData('fop-gate');
      data.checks = { capacityFloor };
      assert.deepEqual(parsePlan(data).checks, { capacityFloor });
    }
  });

  test('a misspelt checks key is reported with the key it probably meant', () => {
    const data = examplePlanData('fop-gate');
    data.checks = { capacityFlor: 8 };
    assert.deepEqual(planMessages(data), ["checks.capacityFlor: is not a known key (fix: did you mean 'capacityFloor'?)"]);
  });

  test('the traffic section is checked by its schema, each key worded with its own fix', () => {
    const cases: [(traffic: Record<string, any>) => void, string][] = [
      [(t) => (t.hostname = ['checkout.example.com']), "traffic.hostname: is not a known key (fix: did you mean 'hostnames'?)"],
      [(t) => (t.parentRefs = []), 'traffic.parentRefs: must list 1 to 32 Gateways, got 0 (fix: e.g. parentRefs: [{ name: public }])'],
      [(t) => (t.trackLabel = 7), 'traffic.trackLabel: must be a non-empty string, got 7 (fix: e.g. track)'],
      [
        (t) => (t.router = 'gatway-api'),
        'traffic.router: must be one of replicas, gateway-api, ingress-nginx, smi, got "gatway-api" (fix: did you mean \'gateway-api\'?)',
      ],
      [
        (t) => (t.parentRefs[0].port = 0),
        'traffic.parentRefs[0].port: must be a whole number from 1 to 65535, got 0 (fix: use a whole number from 1 to 65535)',
      ],
    ];
    for (const [mutate, message] of cases) {
      const data = examplePlanData('checkout-gateway');
      mutate(data.traffic);
      assert.deepEqual(planMessages(data), [message]);
    }
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parsePlan, type Plan } from '../lib/model';
import { planJson, planView } from '../lib/review/plan-json';
import { planSvg } from '../lib/review/plan-svg';
import { planTable } from '../lib/review/plan-table';
import type { Stack } from '../lib/stacks';
import { examplePlanData, exampleStack } from './support/example-stacks';

/** A stack around a plan built in the test, in its first stage. */
function stackOf(name: string, plan: Plan): Stack {
  const first = plan.stages[0].name;
  return { name, file: `stacks/Pulumi.${name}.yaml`, plan, stage: first, stageIndex: 0, fromStage: first, fromStageIndex: 0 };
}

describe('plan view (the data behind plan, --json and --format svg)', () => {
  // The numbers the capacity table of docs/concepts.md gives for the examples.
  const capacity = (stack: string) =>
    planView(exampleStack(stack)).transitions.map((t) => [
      `${t.from} → ${t.to}`,
      t.peakPods,
      t.services[0].minReadyEndpoints,
      t.services[0].capacityFloor,
    ]);

  test('fop-gate: baseline → canary peaks at 11 pods and keeps 10 ready endpoints, the floor', () => {
    assert.deepEqual(capacity('fop-gate'), [
      ['baseline → canary', 11, 10, 10],
      ['canary → canary-widened', 12, 10, 10],
      ['canary-widened → stable', 13, 10, 10],
    ]);
  });

  test('web-nginx: the cutover keeps 6 ready endpoints, exactly the floor', () => {
    assert.deepEqual(capacity('web-nginx'), [
      ['v1-only → v2-canary', 7, 6, 6],
      ['v2-canary → v2-scaled', 12, 7, 6],
      ['v2-scaled → cutover', 12, 6, 6],
      ['cutover → v1-removed', 12, 6, 6],
    ]);
  });

  test('trade-aone: each batch step peaks at 18 pods and keeps 17 ready endpoints', () => {
    for (const [, peak, min, floor] of capacity('trade-aone')) assert.deepEqual([peak, min, floor], [18, 17, 17]);
  });

  test('only the current stage is marked current', () => {
    const view = planView({ ...exampleStack('fop-gate'), stage: 'canary-widened' });
    assert.deepEqual(
      view.stages.filter((s) => s.current).map((s) => s.name),
      ['canary-widened'],
    );
    assert.equal(view.stage, 'canary-widened');
  });

  test('each stage has replicas and image per workload, endpoints per Service and traffic per workload', () => {
    const widened = planView(exampleStack('fop-gate')).stages[2];
    assert.deepEqual(widened.workloads, [
      { name: 'fop-gate', replicas: 7, image: 'registry.example.com/dora/fop-gate:1.4.0', paused: false, version: 1 },
      { name: 'fop-gate-canary', replicas: 3, image: 'registry.example.com/dora/fop-gate:1.5.0', paused: false, version: 2 },
    ]);
    assert.deepEqual(widened.services, [
      { name: 'fop-gate', selector: { app: 'fop-gate' }, endpoints: ['fop-gate', 'fop-gate-canary'], readyEndpoints: 10 },
    ]);
    assert.deepEqual(widened.traffic, { 'fop-gate': 0.7, 'fop-gate-canary': 0.3 });
  });

  test('after the cutover the Service selects only v2, and v1 gets no traffic', () => {
    const cutover = planView(exampleStack('web-nginx')).stages[3];
    assert.deepEqual(cutover.services[0].selector, { name: 'nginx', version: 'v2' });
    assert.deepEqual(cutover.services[0].endpoints, ['nginx-v2']);
    assert.deepEqual(cutover.traffic, { 'nginx-dm': 0, 'nginx-v2': 1 });
  });

  test('a scale-down that also changes the image is a break change that rolls out (fop-gate rolled back from stable)', () => {
    const data = examplePlanData('fop-gate');
    data.stages = [data.stages[3], data.stages[2]]; // stable, then canary-widened
    const [t] = planView(stackOf('fop-gate', parsePlan(data))).transitions;
    assert.deepEqual(t.workloads, [
      { name: 'fop-gate', change: 'scale-down', rollsOut: true, phase: 'break' },
      { name: 'fop-gate-canary', change: 'scale-up', rollsOut: false, phase: 'make' },
    ]);
    // The canary grows to 3 before stable shrinks to 7 and rolls back: never below 10 endpoints.
    assert.deepEqual([t.peakPods, t.services[0].minReadyEndpoints, t.services[0].minDuring], [12, 10, 'make']);
  });

  test('--json is the view itself, as JSON', () => {
    const view = planView(exampleStack('web-nginx'));
    assert.deepEqual(JSON.parse(planJson(view)), JSON.parse(JSON.stringify(view)));
    assert.ok(planJson(view).endsWith('}\n'));
  });
});

describe('plan table', () => {
  const table = planTable(planView(exampleStack('fop-gate')));

  test('marks the current stage with *', () => {
    assert.match(table, /^\* baseline +fop-gate +9 +registry\.example\.com\/dora\/fop-gate:1\.4\.0 +90\.0%$/m);
    assert.doesNotMatch(table, /^\* canary/m);
  });

  test('shows each workload of a stage with its replicas, image and traffic share', () => {
    assert.match(table, /^ +fop-gate-canary +3 +registry\.example\.com\/dora\/fop-gate:1\.5\.0 +30\.0%$/m);
  });

  test("shows each Service's selector and endpoints", () => {
    assert.match(table, /Service fop-gate: app=fop-gate → fop-gate, fop-gate-canary \(10 ready\)/);
  });

  test('shows each transition with its peak pods and the fewest ready endpoints against the floor', () => {
    assert.match(
      table,
      /↓ baseline → canary: peak 11 pods, at least 10 available; Service fop-gate: at least 10 ready endpoints \(floor 10\)$/m,
    );
    assert.doesNotMatch(table, /BELOW FLOOR/);
  });

  test('says BELOW FLOOR where a transition drops under it', () => {
    const data = examplePlanData('web-nginx');
    data.stages = data.stages.filter((s: any) => s.name !== 'v2-scaled');
    data.stages[2].workloads['nginx-v2'].replicas = 1;
    const naive = planTable(planView(stackOf('web-nginx', parsePlan(data))));
    assert.match(naive, /↓ v2-canary → cutover: .*at least 1 ready endpoint \(floor 6, selector switches\) BELOW FLOOR$/m);
  });
});

describe('plan SVG chart', () => {
  const svg = planSvg(planView(exampleStack('fop-gate')));

  test('is one well-formed SVG document', () => {
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="\d+" height="\d+"/);
    assert.ok(svg.endsWith('</svg>\n'));
    assertBalancedTags(svg);
  });

  test('is deterministic', () => {
    assert.equal(planSvg(planView(exampleStack('fop-gate'))), svg);
  });

  test('draws replicas to scale: the 9 stable and 1 canary pods of baseline are 9:1 in height', () => {
    const height = (title: string) => Number(new RegExp(`<title>${title}[^<]*</title>\\n<rect [^>]*height="([\\d.]+)"`).exec(svg)?.[1]);
    const stable = height('baseline / fop-gate: 9 replicas');
    const canary = height('baseline / fop-gate-canary: 1 replica of');
    assert.ok(stable > 0 && canary > 0);
    assert.ok(Math.abs(stable / canary - 9) < 0.01, `${stable} / ${canary}`);
  });

  test('labels every stage, marks the current one, and has a legend of workloads and images', () => {
    for (const stage of ['baseline', 'canary', 'canary-widened', 'stable']) assert.match(svg, new RegExp(`>${stage}</text>`));
    assert.match(svg, /font-weight="bold">baseline<\/text>/);
    assert.match(svg, />\(current\)<\/text>/);
    assert.match(svg, />fop-gate-canary<\/text>/);
    assert.match(svg, />fop-gate:1\.5\.0<\/text>/);
    assert.match(svg, />10% of requests|>10%<\/text>/);
  });

  test('hatches by version: a canary that changes only an env var or a limit is drawn and listed as a version of its own', () => {
    const view = planView(exampleStack('orders-api'));
    const image = 'registry.example.com/shop/orders-api:3.2.0';
    assert.deepEqual(view.versions, [
      { version: 1, image, changes: [] },
      { version: 2, image, changes: ['env.FEATURE_FAST_CHECKOUT off → on'] },
      { version: 3, image, changes: ['env.FEATURE_FAST_CHECKOUT off → on', 'resources.limits.memory 1Gi → 1.5Gi'] },
    ]);
    assert.deepEqual(
      view.stages.map((s) => s.workloads.map((w) => `${w.name}=${w.version}`).join(' ')),
      [
        'orders-api=1 orders-api-canary=1',
        'orders-api=1 orders-api-canary=2',
        'orders-api=1 orders-api-canary=3',
        'orders-api=3 orders-api-canary=3',
      ],
    );
    const chart = planSvg(view);
    // The canary's segment in canary-flag is hatched, the stable one's is not, though both run one image.
    const segmentOf = (tip: string) =>
      new RegExp(`<title>${tip}[^<]*</title>\\n<rect [^>]*/>\\n(<rect [^>]*fill="url\\(#version-(\\d)\\)"/>)?`).exec(chart);
    assert.equal(segmentOf('canary-flag / orders-api: 4 replicas')?.[2], undefined);
    assert.equal(segmentOf('canary-flag / orders-api-canary: 1 replica of [^ ]+ with env.FEATURE_FAST_CHECKOUT off → on')?.[2], '1');
    assert.match(chart, />env\.FEATURE_FAST_CHECKOUT off → on<\/text>/);
    assert.match(chart, />resources\.limits\.memory 1Gi → 1\.5Gi<\/text>/);
    assertBalancedTags(chart);
  });

  test('is tall enough for its legend when the plan has more workloads than the bars are high', () => {
    const data = examplePlanData('trade-aone');
    const view = planView(stackOf('trade-aone', parsePlan(data)));
    const many = { ...view, versions: Array.from({ length: 30 }, (_, i) => ({ version: i + 1, image: `app:${i}`, changes: [] })) };
    const chart = planSvg(many);
    const height = Number(/^<svg [^>]*height="(\d+)"/.exec(chart)?.[1]);
    const lowest = Math.max(...[...chart.matchAll(/ y="([\d.]+)"/g)].map((m) => Number(m[1])));
    assert.ok(lowest < height, `${lowest} < ${height}`);
  });

  test('marks a stage without ready endpoints instead of drawing a traffic bar', () => {
    const data = examplePlanData('fop-gate');
    data.stages[3].workloads['fop-gate'].replicas = 0;
    data.stages[3].workloads['fop-gate-canary'].replicas = 0;
    const chart = planSvg(planView(stackOf('fop-gate', parsePlan(data))));
    assert.match(chart, />no<\/text>\n[^\n]*>endpoints<\/text>/);
  });

  test('escapes text taken from the stack file', () => {
    const data = examplePlanData('fop-gate');
    data.stages[0].workloads['fop-gate'].image = 'registry.example.com/a:1<b>&"c\'';
    const chart = planSvg(planView(stackOf('fop-gate', parsePlan(data))));
    assert.match(chart, /a:1&lt;b&gt;&amp;&quot;c&apos;/);
    assert.doesNotMatch(chart, /<b>/);
    assertBalancedTags(chart);
  });
});

/** Every opening tag is closed in order (enough to catch a broken document; not a full XML parser). */
function assertBalancedTags(xml: string): void {
  const open: string[] = [];
  for (const match of xml.matchAll(/<(\/?)([a-zA-Z][\w-]*)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = match;
    if (selfClosing) continue;
    if (closing) assert.equal(open.pop(), name, `</${name}> closes <${open[open.length]}>`);
    else open.push(name);
  }
  assert.deepEqual(open, [], 'unclosed tags');
  assert.doesNotMatch(xml.replace(/&(amp|lt|gt|quot|apos);/g, ''), /&/, 'a bare & in the document');
}

describe('counts in the plan read in the singular for one', () => {
  test('the table and the picture say "peak 1 pod" and "1 pod" for a one-pod stage', () => {
    const data = examplePlanData('fop-gate');
    data.stages = data.stages
      .slice(0, 2)
      .map((stage: any) => ({ ...stage, workloads: { 'fop-gate': { ...stage.workloads['fop-gate'], replicas: 1 } } }));
    const view = planView(stackOf('fop-gate', parsePlan(data)));
    assert.match(planTable(view), /↓ baseline → canary: peak 1 pod, at least 1 available/);
    const svg = planSvg(view);
    assert.match(svg, />peak 1 pod</);
    assert.match(svg, />1 pod</);
  });
});

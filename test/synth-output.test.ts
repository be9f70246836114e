import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { renderStackStage } from '../lib/synth/render-stack';
import { validateObject } from '../lib/synth/schema-validation';
import { toYaml } from '../lib/synth/yaml-emitter';
import { synthMain } from '../lib/synth/main';
import { errorLines, UsageError } from '../lib/command-line/run-main';
import { EXAMPLE_STACKS, ROOT, copyOfStacks, exampleStack, tempDir } from './support/example-stacks';

const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

/** What a run of `npm run synth` left: its exit code and output. */
interface SynthRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `npm run synth -- ARGS` as its own process (lib/synth/main.ts through tsx, from the repository root). */
function synthProcess(args: string[], env: NodeJS.ProcessEnv = {}): SynthRun {
  return spawnSync(TSX, [path.join(ROOT, 'lib/synth/main.ts'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
}

/**
 * `npm run synth -- ARGS` in this process: `synthMain`, what lib/synth/main.ts runs, with its output
 * captured and its errors printed as `runMain` prints them. An environment makes it a process.
 */
function synth(args: string[], env: NodeJS.ProcessEnv = {}): SynthRun {
  if (Object.keys(env).length > 0) return synthProcess(args, env);
  let stdout = '';
  let stderr = '';
  try {
    const status = synthMain(args, { out: (text) => (stdout += text), err: (text) => (stderr += text), env: process.env });
    return { status, stdout, stderr };
  } catch (error) {
    for (const line of errorLines(error)) stderr += `stepwise synth: ${line}\n`;
    return { status: error instanceof UsageError ? 2 : 1, stdout, stderr };
  }
}

/** Every file under `dir` with its content, for byte-for-byte comparison. */
function snapshotDir(dir: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const file = path.join(entry.parentPath, entry.name);
      result[path.relative(dir, file)] = fs.readFileSync(file, 'utf8');
    }
  }
  return result;
}

describe('rendered manifests', () => {
  test('every stage of every example stack passes the official Kubernetes schemas', () => {
    let objects = 0;
    for (const name of EXAMPLE_STACKS) {
      const stack = exampleStack(name);
      for (const stage of stack.plan.stages) {
        // renderStackStage validates each object and throws on the first invalid one.
        objects += renderStackStage(stack, stage.name).files.length;
      }
    }
    assert.ok(objects > 50, `only ${objects} objects rendered`);
  });

  test('the YAML of each file reads back as exactly its object', () => {
    for (const name of EXAMPLE_STACKS) {
      for (const file of renderStackStage(exampleStack(name)).files)
        assert.deepEqual(parse(file.yaml), file.object, `${name}/${file.name}`);
    }
  });

  test('rendering the same stage twice gives byte-identical YAML', () => {
    for (const name of EXAMPLE_STACKS) {
      const a = renderStackStage(exampleStack(name))
        .files.map((f) => f.yaml)
        .join('---\n');
      const b = renderStackStage(exampleStack(name))
        .files.map((f) => f.yaml)
        .join('---\n');
      assert.equal(a, b, name);
    }
  });

  test('a schema violation names the object and the field', () => {
    const deployment = structuredClone(renderStackStage(exampleStack('fop-gate')).files[0].object) as any;
    deployment.spec.replicas = 'nine';
    assert.throws(
      () => validateObject(deployment, 'stacks/Pulumi.fop-gate.yaml'),
      /^StepwiseError: stacks\/Pulumi\.fop-gate\.yaml: Deployment\/fop-gate \/spec\/replicas: violates the Kubernetes schema: must be integer/,
    );
  });

  test('a Deployment selector that misses its pod template is caught (the schemas do not check it)', () => {
    const deployment = structuredClone(renderStackStage(exampleStack('fop-gate')).files[0].object) as any;
    deployment.spec.selector.matchLabels.track = 'other';
    assert.throws(() => validateObject(deployment, 'x.yaml'), /Deployment\/fop-gate \/spec\/selector: does not select the pod template/);
  });

  test('label values are checked (the schemas do not check them)', () => {
    const service = structuredClone(renderStackStage(exampleStack('fop-gate')).files.at(-1)?.object) as any;
    service.metadata.labels.team = 'dora apps';
    assert.throws(() => validateObject(service, 'x.yaml'), /Service\/fop-gate \/metadata\/labels\/team: label value 'dora apps'/);
  });
});

describe('the YAML emitter', () => {
  test('strings a YAML 1.1 reader would turn into booleans, numbers or nulls are quoted', () => {
    for (const s of [
      'yes',
      'No',
      'on',
      'OFF',
      'y',
      'true',
      'null',
      '~',
      '1',
      '0755',
      '1:20',
      '1e3',
      '.5',
      '0x1F',
      '-1',
      '',
      ' lead',
      'trail ',
      'a: b',
      '#x',
      'x #y',
      '- x',
      '*ref',
      '&a',
      '!tag',
      '{a}',
      '[a]',
      '@x',
      '`x`',
      'a\nb',
      '%x',
    ]) {
      const yaml = toYaml({ k: s });
      assert.notEqual(yaml, `k: ${s}\n`, `${JSON.stringify(s)} was written plain`);
      assert.deepEqual(parse(yaml), { k: s });
    }
  });

  test('ordinary values stay plain', () => {
    assert.equal(
      toYaml({ image: 'nginx:1.16.1', path: '/healthz', name: 'fop-gate-canary', count: 3, b: false }),
      'image: nginx:1.16.1\npath: /healthz\nname: fop-gate-canary\ncount: 3\nb: false\n',
    );
  });

  test('empty collections and nested lists round-trip', () => {
    const value = { a: {}, b: [], c: [[1, 2], [], {}, [{ d: [] }]], e: [{ f: 1, g: { h: [null] } }] };
    assert.deepEqual(parse(toYaml(value)), value);
  });
});

describe('npm run synth', () => {
  test('writes the current stage of every stack into <out>/<stack>/ as cdk8s names the files', () => {
    const out = tempDir();
    const result = synth(['--out', out]);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(fs.readdirSync(out).sort(), [...EXAMPLE_STACKS].sort());
    assert.deepEqual(fs.readdirSync(path.join(out, 'web-nginx')).sort(), [
      'Deployment.nginx-dm.k8s.yaml',
      'PodDisruptionBudget.nginx-dm.k8s.yaml',
      'Service.nginx-svc.k8s.yaml',
    ]);
    assert.match(result.stdout, /web-nginx\/ {2}stage v1-only: 3 objects/);
  });

  test('a second run gives byte-identical output', () => {
    const a = tempDir();
    const b = tempDir();
    assert.equal(synth(['--out', a]).status, 0);
    assert.equal(synth(['--out', b]).status, 0);
    assert.deepEqual(snapshotDir(a), snapshotDir(b));
  });

  test('a bad stack file fails with file, key path and fix, and leaves the previous output untouched', () => {
    const stacks = copyOfStacks();
    const out = tempDir();
    assert.equal(synth(['--stacks', stacks, '--out', out]).status, 0);
    const before = snapshotDir(out);
    // Change a good stack (so its output would change) and break another one.
    const fop = path.join(stacks, 'Pulumi.fop-gate.yaml');
    fs.writeFileSync(fop, fs.readFileSync(fop, 'utf8').replace('stepwise:stage: baseline', 'stepwise:stage: canary'));
    const web = path.join(stacks, 'Pulumi.web-nginx.yaml');
    fs.writeFileSync(
      web,
      fs
        .readFileSync(web, 'utf8')
        .replace('nginx-v2: { replicas: 1, image: nginx:1.18.0 }', 'nginx-v2: { replicas: -1, image: nginx:1.18.0 }'),
    );

    const result = synth(['--stacks', stacks, '--out', out]);
    assert.equal(result.status, 1);
    assert.match(
      result.stderr,
      /Pulumi\.web-nginx\.yaml: config\.stepwise:plan\.stages\[1\]\.workloads\.nginx-v2\.replicas: must be a whole number >= 0, got -1 \(fix: use a whole number >= 0\)/,
    );
    assert.match(result.stderr, /left unchanged/);
    assert.match(result.stderr, /left unchanged, 1 problem:\n/, 'one problem, in the singular');
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    assert.deepEqual(snapshotDir(out), before);
  });

  test('broken YAML is reported with its line', () => {
    const stacks = copyOfStacks();
    fs.writeFileSync(
      path.join(stacks, 'Pulumi.fop-gate.yaml'),
      'config:\n  stepwise:stage: baseline\n  stepwise:plan: { kind: CanaryService\n',
    );
    const result = synth(['--stacks', stacks, '--out', tempDir(), 'fop-gate']);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /Pulumi\.fop-gate\.yaml: line \d+: is not valid YAML/);
  });

  test('an unknown stack name lists the stacks there are', () => {
    const result = synth(['--out', tempDir(), 'fop-gat']);
    // A usage error (exit 2), as in every stepwise command: the name is a typo, not a broken file.
    assert.equal(result.status, 2);
    assert.match(result.stderr, /unknown stack 'fop-gat'.*\(fix: use one of: .*fop-gate/);
  });

  test('a path given as a stack name exits 2 and writes nothing, inside or outside --out', () => {
    const project = path.dirname(copyOfStacks());
    fs.copyFileSync(path.join(project, 'stacks', 'Pulumi.fop-gate.yaml'), path.join(project, 'evil.yaml'));
    fs.mkdirSync(path.join(project, 'evil'));
    fs.writeFileSync(path.join(project, 'evil', 'important.txt'), 'precious');
    const result = spawnSync(TSX, [path.join(ROOT, 'lib/synth/main.ts'), 'x/../../evil', '--out', 'sy5'], {
      cwd: project,
      encoding: 'utf8',
    });
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /^stepwise synth: 'x\/\.\.\/\.\.\/evil' is not a stack name: use one of: .*fop-gate/m);
    assert.deepEqual(snapshotDir(path.join(project, 'evil')), { 'important.txt': 'precious' });
    assert.equal(fs.existsSync(path.join(project, 'sy5')), false);
  });

  test('--out a file exits 1 saying it is a file, not a directory, and leaves it as it was', () => {
    const file = path.join(tempDir(), 'afile');
    fs.writeFileSync(file, 'mine');
    const result = synth(['--out', file]);
    assert.equal(result.status, 1, result.stderr);
    assert.equal(
      result.stderr,
      `stepwise synth: ${file}: is a file, not a directory (fix: move ${file} away, or pass --out another directory)\n`,
    );
    assert.equal(fs.readFileSync(file, 'utf8'), 'mine');
  });

  test('a --stacks directory that does not exist is a usage error naming it', () => {
    const missing = path.join(tempDir(), 'nonexist');
    const result = synth(['--stacks', missing, '--out', tempDir()]);
    assert.equal(result.status, 2, result.stderr);
    assert.equal(
      result.stderr,
      `stepwise synth: ${missing}: the stacks directory does not exist (fix: run from the project root, or pass --stacks DIR)\n`,
    );
  });

  test('an unknown flag is a usage error (exit 2)', () => {
    const result = synthProcess(['--outdir', 'x']); // the real entry point's exit code
    assert.equal(result.status, 2);
    assert.match(result.stderr, /usage: npm run synth/);
  });

  test('cdk8s synth (cdk8s.yaml) renders the same objects', () => {
    const out = tempDir();
    const ours = tempDir();
    const cdk8s = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'cdk8s'), ['synth', '--no-check-upgrade', '--output', out], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(cdk8s.status, 0, cdk8s.stderr);
    assert.equal(synth(['--out', ours]).status, 0);
    const theirs = snapshotDir(out);
    assert.deepEqual(Object.keys(theirs).sort(), Object.keys(snapshotDir(ours)).sort());
    for (const [file, text] of Object.entries(theirs)) {
      assert.deepEqual(
        parseAllDocuments(text).map((d) => d.toJS()),
        [parse(fs.readFileSync(path.join(ours, file), 'utf8'))],
        file,
      );
    }
  });
});

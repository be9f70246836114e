import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { gitopsUpdates } from '../lib/release/gitops-update';
import type { KubeTarget } from '../lib/status/kube-context';
import { setStageInText } from '../lib/stacks/stage-edit';
import { STACKS_DIR, tempDir } from './support/example-stacks';

/**
 * `stepwise release --gitops` publishing a stage: rendered into the output folder as
 * `npm run synth` renders it and committed with the stack file, in a real git repository. (Where
 * the cluster is comes from `stepwise status`'s reader, tested with it.)
 */

/** A git repository holding fop-gate's stack file, at `stage`. */
function repository(stage = 'baseline'): { dir: string; stackFile: string; git: (...args: string[]) => string } {
  const dir = tempDir('stepwise-gitops-');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' });
  git('init', '--quiet', '--initial-branch=main');
  git('config', 'user.name', 'release test');
  git('config', 'user.email', 'release@example.com');
  fs.mkdirSync(path.join(dir, 'stacks'));
  const stackFile = path.join(dir, 'stacks', 'Pulumi.fop-gate.yaml');
  const text = fs.readFileSync(path.join(STACKS_DIR, 'Pulumi.fop-gate.yaml'), 'utf8');
  fs.writeFileSync(stackFile, setStageInText(text, { stage, fromStage: stage }, stackFile));
  git('add', '.');
  git('commit', '--quiet', '-m', 'fop-gate');
  return { dir, stackFile, git };
}

/** Publishing never reads the cluster. */
const noCluster = {} as KubeTarget;

function updates(dir: string, commit: boolean, log: string[] = []) {
  return gitopsUpdates(
    { dir, stacksDir: path.join(dir, 'stacks'), stackName: 'fop-gate', outDir: path.join(dir, 'dist'), commit, push: false },
    noCluster,
    (line) => log.push(line),
  );
}

describe('release --gitops: publishing a stage', () => {
  test('renders the stage the stack file names and commits it with the stack file', async () => {
    const { dir, stackFile, git } = repository();
    fs.writeFileSync(stackFile, setStageInText(fs.readFileSync(stackFile, 'utf8'), { stage: 'canary', fromStage: 'baseline' }, stackFile));
    await updates(dir, true).publish();
    assert.equal(git('log', '-1', '--format=%s').trim(), 'stepwise release fop-gate: stage canary');
    assert.equal(git('status', '--porcelain'), '', 'everything published is committed');
    const canary = fs.readFileSync(path.join(dir, 'dist', 'fop-gate', 'Deployment.fop-gate-canary.k8s.yaml'), 'utf8');
    assert.match(canary, /image: registry\.example\.com\/dora\/fop-gate:1\.5\.0/);
    assert.match(canary, /kubernetes\.io\/change-cause: "stepwise: stage canary"/);
    assert.match(git('show', '--stat', '--format=', 'HEAD'), /stacks\/Pulumi\.fop-gate\.yaml/);
  });

  test('publishing a stage already committed (a re-run) commits nothing', async () => {
    const { dir, git } = repository();
    await updates(dir, true).publish();
    const head = git('rev-parse', 'HEAD');
    const log: string[] = [];
    await updates(dir, true, log).publish();
    assert.equal(git('rev-parse', 'HEAD'), head);
    assert.ok(log.some((line) => /nothing to commit/.test(line)));
  });

  test('without --commit it writes the folder and prints the commands, committing nothing', async () => {
    const { dir, git } = repository();
    const head = git('rev-parse', 'HEAD');
    const log: string[] = [];
    await updates(dir, false, log).publish();
    assert.equal(git('rev-parse', 'HEAD'), head);
    assert.ok(fs.existsSync(path.join(dir, 'dist', 'fop-gate', 'Deployment.fop-gate.k8s.yaml')));
    assert.match(
      log.join('\n'),
      /git add .*Pulumi\.fop-gate\.yaml .*dist\/fop-gate && git commit -m 'stepwise release fop-gate: stage baseline' && git push/,
    );
  });

  test('a preview counts the manifest files the next stage changes, changing none', async () => {
    const { dir } = repository();
    await updates(dir, true).publish();
    const before = fs.readFileSync(path.join(dir, 'dist', 'fop-gate', 'Deployment.fop-gate-canary.k8s.yaml'), 'utf8');
    const changes = updates(dir, true).preview('canary', 'baseline');
    // Only the canary's Deployment changes: its image, and the stage its change-cause names.
    assert.deepEqual(changes, { create: 0, update: 1, same: 4, delete: 0 });
    assert.equal(fs.readFileSync(path.join(dir, 'dist', 'fop-gate', 'Deployment.fop-gate-canary.k8s.yaml'), 'utf8'), before);
  });
});

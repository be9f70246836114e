/** Every relative link in README.md, CONTRIBUTING.md and docs/ leads to a file that exists, and to an anchor it has. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { ROOT } from './support/example-stacks';
import { anchorsOf, linksOf, markdownFiles } from './support/markdown';

const anchorCache = new Map<string, Set<string>>();
function anchors(file: string): Set<string> {
  let found = anchorCache.get(file);
  if (!found) anchorCache.set(file, (found = anchorsOf(fs.readFileSync(file, 'utf8'))));
  return found;
}

describe('links inside the repository', () => {
  for (const page of markdownFiles()) {
    test(`every relative link in ${page} resolves, anchors included`, () => {
      const source = path.join(ROOT, page);
      const broken: string[] = [];
      for (const { line, target } of linksOf(fs.readFileSync(source, 'utf8'))) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: — outside the repository
        const [file, anchor] = target.split('#', 2) as [string, string | undefined];
        const resolved = file === '' ? source : path.resolve(path.dirname(source), decodeURIComponent(file));
        if (!resolved.startsWith(ROOT + path.sep)) broken.push(`${page}:${line}: ${target} leaves the repository`);
        else if (!fs.existsSync(resolved)) broken.push(`${page}:${line}: ${target}: ${path.relative(ROOT, resolved)} does not exist`);
        else if (anchor !== undefined && resolved.endsWith('.md') && !anchors(resolved).has(decodeURIComponent(anchor))) {
          broken.push(`${page}:${line}: ${target}: ${path.relative(ROOT, resolved)} has no heading with the anchor #${anchor}`);
        }
      }
      assert.deepEqual(broken, []);
    });
  }
});

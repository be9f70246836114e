/**
 * Preloaded with `node --import` by test/cli-module-loading.test.ts: records the file of every
 * CommonJS module the process loads (through require, or import() of CommonJS, which is how the
 * built command loads everything) and writes them as a JSON array to
 * $STEPWISE_MODULE_PROBE_OUT when the process exits.
 */
import fs from 'node:fs';
import Module from 'node:module';
import process from 'node:process';

const loaded = new Set();
const load = Module._load;
Module._load = function (request, parent, isMain) {
  const exports = load.call(this, request, parent, isMain);
  try {
    loaded.add(Module._resolveFilename(request, parent, isMain));
  } catch {
    // a built-in, or resolved some other way: the module cache lists the file anyway
  }
  return exports;
};
process.on('exit', () => {
  const files = new Set([...loaded, ...Object.keys(Module._cache)]);
  fs.writeFileSync(process.env.STEPWISE_MODULE_PROBE_OUT, JSON.stringify([...files].sort()));
});

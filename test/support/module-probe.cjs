/**
 * Preloaded with `node --require` by test/cli-module-loading.test.ts: records the file of every
 * module the process loads (through require, or import() of CommonJS) and writes them as a JSON
 * array to $STEPWISE_MODULE_PROBE_OUT when the process exits.
 */
'use strict';
const fs = require('node:fs');
const Module = require('node:module');

const loaded = new Set();
const load = Module._load;
Module._load = function (request, parent, isMain) {
  const exports = load.apply(this, arguments);
  try {
    loaded.add(Module._resolveFilename(request, parent, isMain));
  } catch {
    // a built-in or a module resolved some other way: require.cache lists the files anyway
  }
  return exports;
};
process.on('exit', () => {
  const files = new Set([...loaded, ...Object.keys(require.cache)]);
  fs.writeFileSync(process.env.STEPWISE_MODULE_PROBE_OUT, JSON.stringify([...files].sort()));
});

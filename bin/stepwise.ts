#!/usr/bin/env node
/** The `stepwise` command (compiled to dist-js/bin/stepwise.js by `npm run build`). */
import { cliMain } from '../lib/cli/main';
import { runMain } from '../lib/command-line/run-main';

runMain('stepwise', () =>
  cliMain(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    cwd: process.cwd(),
  }),
);

#!/usr/bin/env node
/** The `stepwise` command (bundled into dist-js/bin/stepwise.js by `npm run build`: scripts/build/bundle-cli.ts). */
import { stepwiseMain } from '../lib/cli/main';
import { endQuietlyOnClosedOutput } from '../lib/command-line/run-main';

endQuietlyOnClosedOutput();

void stepwiseMain(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  cwd: process.cwd(),
  debug: Boolean(process.env.STEPWISE_DEBUG),
}).then((code) => {
  process.exitCode = code;
});

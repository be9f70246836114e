/**
 * Preloaded with `node --allow-natives-syntax --import` by test/v8-hidden-classes.test.ts: when
 * the process exits, writes to $STEPWISE_HIDDEN_CLASS_PROBE_OUT whether two objects that start
 * empty and get the same new key still share a hidden class (V8's `%HaveSameMap`). They stop
 * sharing one once the process has used up the 1,536 transitions of the empty object's class
 * (lib/model/name-record.ts).
 */
import fs from 'node:fs';
import process from 'node:process';

const freshKeySharesClass = new Function(
  "const a = {}; a['stepwise probe key'] = 1; const b = {}; b['stepwise probe key'] = 1; return %HaveSameMap(a, b);",
);
process.on('exit', () => {
  fs.writeFileSync(process.env.STEPWISE_HIDDEN_CLASS_PROBE_OUT, JSON.stringify({ freshKeySharesClass: freshKeySharesClass() }));
});

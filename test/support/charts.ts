/**
 * Charts for construct tests. cdk8s' `Testing.app()` makes a temporary output directory for
 * every app and never removes it; these tests only call `Testing.synth` (the chart's objects,
 * nothing written), so their app has no directory of its own.
 */
import { App, Chart } from 'cdk8s';

/** An app whose `synth()` would write to the current directory: never called by these tests. */
export function testApp(): App {
  return new App({ outdir: '.' });
}

/** A chart as `Testing.chart()` makes it (id `test`), in a {@link testApp}. */
export function testChart(): Chart {
  return new Chart(testApp(), 'test');
}

import { loadStack } from './lib/stacks';
import { podTemplateKey, allStageStates, consecutiveTransitions } from './lib/model';
const stack = loadStack('stacks', 'orders-api');
const p = stack.plan;
console.log(p.stages[1].workloads['orders-api-canary'].definition?.env);
const w = p.workloads[1];
console.log(podTemplateKey(w, p.stages[0].workloads[w.name]).slice(0, 80), '|', podTemplateKey(w, p.stages[1].workloads[w.name]).slice(0, 80));
const t = consecutiveTransitions(p, allStageStates(p));
console.log(t.map((x) => x.workloads.map((y) => `${y.name}:${y.change}:${y.rollsOut}`)));

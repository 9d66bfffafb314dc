import { runScenarios, SYSTEMS } from '../packages/scenarios/src/index.ts';
const only = process.argv[2];
const r = await runScenarios({
  systems: SYSTEMS,
  outDir: '/tmp/scn-out',
  select: (s) => !only || s.id.startsWith(only),
  onStart: (s) => console.log(`▶ ${s.id}`),
  onRun: (r) => {
    console.log(r.tree);
    console.log(`${r.ok ? 'OK' : 'NOT OK'} ${r.scenario.id} ${r.durationMs}ms rootCause=${r.rootCause}`);
    for (const c of r.checks) console.log(`  ${c.problem ? '✗' : '✓'} ${c.label}${c.problem ? `\n      ${c.problem}` : ''}`);
    if (r.error) console.log(r.error);
    for (const n of r.notes) console.log('  note:', n);
  },
});
console.log(`total ${r.durationMs} ms`);

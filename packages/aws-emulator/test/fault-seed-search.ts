// Pick a seed for faults.test.ts after changing the scenario: runs fault-scenario.ts under seeds FROM..TO and prints
// which seeds let every call succeed within the SDK's default 3 attempts.
//   pnpm exec node packages/aws-emulator/test/fault-seed-search.ts 1 20 '{"throttle":0.3,"error":0.1,"latencyMs":[0,20]}'
import { EmulatorControl, startEmulator } from '../src/index.ts';
import { runScenario, SCENARIO_SEED } from './fault-scenario.ts';

const from = Number(process.argv[2] ?? 1);
const to = Number(process.argv[3] ?? 20);
const extra = JSON.parse(process.argv[4] ?? '{"throttle":0.3,"error":0.1,"latencyMs":[0,20]}');
for (let seed = from; seed <= to; seed++) {
  const emu = await startEmulator({ port: 0, timeScale: 0.001 });
  const control = new EmulatorControl(emu.url);
  await control.seed(SCENARIO_SEED);
  await control.faults({ seed, ...extra });
  const t0 = Date.now();
  let ok = 'ok';
  try {
    await runScenario(emu.url);
  } catch (e) {
    ok = `FAIL ${(e as Error).name}: ${(e as Error).message.slice(0, 80)}`;
  }
  const log = await control.requests();
  const n = (k: string) => log.filter((e) => e.fault === k).length;
  console.log(
    seed,
    ok,
    `requests=${log.length} throttle=${n('throttle')} error=${n('error')} reset=${n('reset')} ms=${Date.now() - t0}`,
  );
  await emu.stop();
}

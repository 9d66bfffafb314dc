#!/usr/bin/env node
// `pnpm emulator [--port 4566] [--time-scale 20] [--seed fixture.json] [--realism all|secrets,images,logGroups]
// [--account-id 123456789012]`:
// prints `ready http://127.0.0.1:<port>`.
// Runs the TypeScript sources directly (Node 24 strips types), so there is nothing to build.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

const USAGE =
  'usage: aws-emulator [--port 4566] [--host 127.0.0.1] [--time-scale 20] [--seed fixture.json] [--realism all|secrets,images,logGroups] [--account-id 000000000000]';
const REALISM_SWITCHES = ['secrets', 'images', 'logGroups'];

function fail(message) {
  console.error(`aws-emulator: ${message}`);
  console.error(USAGE);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      port: { type: 'string', default: '4566' },
      host: { type: 'string', default: '127.0.0.1' },
      'time-scale': { type: 'string' },
      seed: { type: 'string' },
      realism: { type: 'string' },
      'account-id': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  }));
} catch (err) {
  fail(err.message);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail('--port must be an integer between 0 and 65535');
const timeScaleArg = values['time-scale'] === undefined ? undefined : Number(values['time-scale']);
if (timeScaleArg !== undefined && (!Number.isFinite(timeScaleArg) || timeScaleArg <= 0)) {
  fail('--time-scale must be a positive number');
}
const accountId = values['account-id'];
if (accountId !== undefined && !/^\d{12}$/.test(accountId)) fail('--account-id must be 12 digits');
let realism;
if (values.realism !== undefined) {
  const names = values.realism === 'all' ? REALISM_SWITCHES : values.realism.split(',').map((s) => s.trim());
  const unknown = names.filter((n) => !REALISM_SWITCHES.includes(n));
  if (unknown.length > 0 || names.length === 0) fail(`--realism: unknown switch ${unknown.join(', ') || '(none)'}`);
  realism = Object.fromEntries(names.map((n) => [n, true]));
}
let fixture;
if (values.seed) {
  try {
    fixture = JSON.parse(await readFile(values.seed, 'utf8'));
  } catch (err) {
    fail(`--seed ${values.seed}: ${err.message}`);
  }
}
// Arguments are checked before the emulator's sources are loaded, so mistakes are reported at once.
const { startEmulator, EmulatorControl, DEFAULT_TIME_SCALE } = await import('../src/index.ts');
const emu = await startEmulator({
  port,
  host: values.host,
  timeScale: timeScaleArg ?? DEFAULT_TIME_SCALE,
  ...(realism ? { realism } : {}),
  ...(accountId ? { accountId } : {}),
});
if (fixture !== undefined) {
  try {
    await new EmulatorControl(emu.url).seed(fixture);
  } catch (err) {
    await emu.stop();
    fail(`--seed ${values.seed}: ${err.message}`);
  }
}
console.log(`ready ${emu.url}`);
const shutdown = async () => {
  await emu.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);

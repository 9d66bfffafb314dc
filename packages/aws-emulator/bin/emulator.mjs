#!/usr/bin/env node
// `pnpm emulator [--port 4566] [--time-scale 20] [--seed fixture.json]`: prints `ready http://127.0.0.1:<port>`.
// Runs the TypeScript sources directly (Node 24 strips types), so there is nothing to build.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4566' },
    host: { type: 'string', default: '127.0.0.1' },
    'time-scale': { type: 'string' },
    seed: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log('usage: aws-emulator [--port 4566] [--time-scale N] [--seed fixture.json]');
  process.exit(0);
}
const { startEmulator, EmulatorControl, DEFAULT_TIME_SCALE } = await import('../src/index.ts');
const timeScale = values['time-scale'] === undefined ? DEFAULT_TIME_SCALE : Number(values['time-scale']);
if (!Number.isFinite(timeScale) || timeScale <= 0) {
  console.error('--time-scale must be a positive number');
  process.exit(2);
}
const emu = await startEmulator({ port: Number(values.port), host: values.host, timeScale });
if (values.seed) await new EmulatorControl(emu.url).seed(JSON.parse(await readFile(values.seed, 'utf8')));
console.log(`ready ${emu.url}`);
const shutdown = async () => {
  await emu.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);

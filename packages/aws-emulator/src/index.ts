// startEmulator({port: 0}) -> {url, stop()}: the programmatic entry used by tests, the demo and benchmarks.
export { EmulatorControl } from './control-client.ts';
export { ALL_REALISM, DEFAULT_REALISM } from './realism.ts';
export type { RequestLogEntry } from './request-log.ts';
export { DEFAULT_TIME_SCALE, type EmulatorOptions, type RunningEmulator, startEmulator } from './start.ts';
export * from './testing.ts';
export type * from './types.ts';

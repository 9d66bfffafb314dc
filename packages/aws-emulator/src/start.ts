// startEmulator(): one in-process emulator on one port (moved out of index.ts so that testing.ts can use it).
import { createClock } from './clock.ts';
import { FaultInjector } from './faults.ts';
import { DEFAULT_REALISM } from './realism.ts';
import { RequestLog } from './request-log.ts';
import { createServer, type EmulatorRuntime, listen } from './server.ts';
import { createServices } from './services/index.ts';
import type { EmulatorState, Realism } from './types.ts';

/** Simulated seconds per real second by default: a healthy 2-task Fargate rollout (~60 simulated s) takes ~3 s. */
export const DEFAULT_TIME_SCALE = 20;

export interface EmulatorOptions {
  /** 0 picks a free port (tests). Default 4566. */
  port?: number;
  host?: string;
  timeScale?: number;
  accountId?: string;
  /** Task-start checks to turn on from the start (and after every reset); default all off. */
  realism?: Partial<Realism>;
}

export interface RunningEmulator {
  url: string;
  port: number;
  runtime: EmulatorRuntime;
  stop(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  const clock = createClock(options.timeScale ?? DEFAULT_TIME_SCALE);
  const realism: Realism = { ...DEFAULT_REALISM, ...(options.realism ?? {}) };
  const state: EmulatorState = {
    services: new Map(),
    behaviors: [],
    realism: { ...realism },
    issuedCredentials: new Set(),
  };
  for (const service of createServices()) state.services.set(service.name, service);
  let baseUrl = '';
  const runtime: EmulatorRuntime = {
    clock,
    state,
    ctx: { clock, state, accountId: options.accountId ?? '000000000000' },
    log: new RequestLog(),
    faults: new FaultInjector(),
    baseUrl: () => baseUrl,
    defaultRealism: realism,
  };
  const server = createServer(runtime);
  const address = await listen(server, options.port ?? 4566, host);
  baseUrl = `http://${host}:${address.port}`;
  return {
    url: baseUrl,
    port: address.port,
    runtime,
    stop: () =>
      new Promise<void>((resolve) => {
        clock.stop();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// A small typed client for the control API, shared by tests, the demo and benchmarks.
import type { RequestLogEntry } from './request-log.ts';
import type { BehaviorRule, Realism, SeedFixture } from './types.ts';

export class EmulatorControl {
  readonly url: string;

  constructor(url: string) {
    this.url = url.replace(/\/$/, '');
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}/_emulator/${path}`, {
      method,
      ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`emulator control ${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Any control API call by path: `send('seed', fixture)`, `send('requests', undefined, 'GET')`. */
  send<T = unknown>(path: string, body?: unknown, method = 'POST'): Promise<T> {
    return this.call(method, path, body);
  }

  reset(): Promise<void> {
    return this.call('POST', 'reset');
  }
  seed(fixture: SeedFixture): Promise<void> {
    return this.call('POST', 'seed', fixture);
  }
  requests(): Promise<RequestLogEntry[]> {
    return this.call('GET', 'requests');
  }
  clearRequests(): Promise<void> {
    return this.call('DELETE', 'requests');
  }
  faults(config: {
    seed?: number;
    throttle?: number;
    error?: number;
    latencyMs?: [number, number];
    reset?: number;
    /** Fraction of requests handled (effect kept) whose response is then lost. */
    after?: number;
    afterFailure?: 'reset' | 'error';
    services?: string[];
    /** Request-log operation names the faults apply to (default all). */
    operations?: string[];
  }): Promise<void> {
    return this.call('POST', 'faults', config);
  }
  advance(seconds: number): Promise<{ now: string; nowMs: number }> {
    return this.call('POST', 'time', { advanceSeconds: seconds });
  }
  behaviors(rules: BehaviorRule | BehaviorRule[]): Promise<BehaviorRule[]> {
    return this.call('POST', 'behaviors', rules);
  }
  clearBehaviors(): Promise<void> {
    return this.call('DELETE', 'behaviors');
  }
  /** Every credential handed out since the emulator started (registry passwords, STS secret keys, session tokens). */
  issuedCredentials(): Promise<string[]> {
    return this.call('GET', 'issued-credentials');
  }
  /** Turn ECS task-start checks on or off (`{secrets, images, logGroups}` or `{all: true}`); returns the switches. */
  realism(switches: Partial<Realism> & { all?: boolean }): Promise<Realism> {
    return this.call('POST', 'realism', switches);
  }
}

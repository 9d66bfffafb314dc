// Stand-ins: checkout (files at the event commit, path, persist-credentials), setup-node (local Node first on PATH),
// artifacts shared between jobs of one run (called workflows included); and cancellation as GitHub does it.
import { describe, expect, test } from 'vitest';
import { appRepo, run } from './helpers.ts';

describe('stand-ins', () => {
  test('checkout honours path and persist-credentials; artifacts pass dist/ to another job', async () => {
    const dir = appRepo({
      'web/src/main.js': 'console.log(1)\n',
      '.github/workflows/w.yml': `on: push
jobs:
  build:
    runs-on: x
    steps:
      - uses: actions/checkout@v4
        with: { path: app }
      - uses: actions/setup-node@v4
        with: { node-version: 24 }
      - run: |
          grep -c extraheader app/.git/config
          mkdir -p app/web/dist/assets && cp app/web/src/main.js app/web/dist/assets/main.js && echo '<html>' > app/web/dist/index.html
          node -e 'console.log("node", process.version.split(".")[0])'
      - uses: actions/upload-artifact@v4
        with: { name: spa, path: app/web/dist }
  deploy:
    needs: build
    runs-on: x
    steps:
      - uses: actions/checkout@v4
        with: { persist-credentials: false }
      - run: if grep -q extraheader .git/config; then echo persisted; else echo not-persisted; fi
      - uses: actions/download-artifact@v4
        with: { name: spa, path: dist }
      - run: find dist -type f | sort
`,
    });
    const r = await run(dir, 'w.yml');
    expect(r.conclusion).toBe('success');
    expect(r.log).toEqual(
      expect.arrayContaining([
        '[build] 1',
        '[build] node v24',
        '[deploy] not-persisted',
        '[deploy] dist/assets/main.js',
        '[deploy] dist/index.html',
      ]),
    );
  });

  test('download of an artifact nobody uploaded fails with the real message', async () => {
    const dir = appRepo({
      '.github/workflows/w.yml':
        'on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: actions/download-artifact@v4\n        with: { name: nope }\n',
    });
    const r = await run(dir, 'w.yml');
    expect(r.jobs[0]?.steps[0]?.error).toBe('Unable to download artifact(s): Artifact not found for name: nope');
  });
});

test('cancelling a run: the running step gets SIGINT, always() and the rest follow GitHub', async () => {
  const dir = appRepo({
    '.github/workflows/w.yml': `on: push
jobs:
  a:
    runs-on: x
    steps:
      - run: |
          trap 'echo got SIGINT; exit 130' INT
          echo started
          sleep 30
      - run: echo should not run
      - if: always()
        run: echo cleanup ran
      - if: cancelled()
        run: echo saw cancelled
`,
  });
  const controller = new AbortController();
  const lines: string[] = [];
  const r = await run(dir, 'w.yml', {
    signal: controller.signal,
    log: {
      line: (_job, text) => {
        lines.push(text);
        if (text === 'started') setTimeout(() => controller.abort(), 200);
      },
    },
  });
  expect(lines).toEqual(expect.arrayContaining(['got SIGINT', 'cleanup ran', 'saw cancelled']));
  expect(r.conclusion).toBe('cancelled');
  const steps = r.jobs[0]?.steps ?? [];
  expect(steps.map((s) => s.conclusion)).toEqual(['cancelled', 'skipped', 'success', 'success']);
}, 30_000);

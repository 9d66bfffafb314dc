import { defineConfig } from 'vitest/config';

// One root config: every package's and action's tests run on the Node 24 that pnpm puts first on PATH.
export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'actions/*/test/**/*.test.ts', 'bench/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
    // @actions/workflow-parser imports its JSON schema without an import attribute, which Node refuses: let vite
    // transform it (the workflow runner's CLI loads it through tsx for the same reason).
    server: { deps: { inline: ['@actions/workflow-parser'] } },
  },
});

#!/usr/bin/env node
// The CLI through tsx (the runner imports @actions/workflow-parser, whose JSON imports need a bundler-style loader).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exit(await main(process.argv.slice(2)));

// Every action's bundle under the soak's faults (throttling, 5xx, lost responses, latency), N seeded runs compared
// with a fault-free baseline: exit code, outputs, AWS end state and, for migrations, every log line exactly once.
// Fast mode (pnpm test): 3 seeds; long mode (pnpm test:reliability --long): 50. This file: the ECS and S3 actions.
import { useEmulator } from '@deploy-actions/aws-emulator';
import { afterAll, beforeAll, describe } from 'vitest';
import { deployEcs, deployEcsWait, renderTaskDef, runMigrationTask, type Scenario, syncSpa } from '../src/index';
import { faultSuite } from './fault-suite';

const emu = useEmulator({ timeScale: 100 }, { beforeAll, afterAll });

describe.each<Scenario>([deployEcsWait, deployEcs, runMigrationTask, renderTaskDef, syncSpa(20)])('$name', (scenario) =>
  faultSuite(emu, scenario),
);

// Long mode only: the soak's SPA case (a first deploy of 200 files at the soak's rates), whose wall time must stay
// within 3x the fault-free one (#16 defect 7: the SDK's adaptive retry mode made it about 100x slower).
describe.runIf(process.env.RELIABILITY_LONG === '1')('long only: sync-spa-cloudfront, first deploy of 200 files', () =>
  faultSuite(emu, syncSpa(200), { maxWallRatio: 3 }),
);

// Every emulated service, one instance set per emulator (tests run several emulators in one process).
import type { ServiceModule } from '../types.ts';
import { createCloudFrontService } from './cloudfront.ts';
import { createEcrService } from './ecr.ts';
import { createEcrStore } from './ecr-store.ts';
import { createEcsService } from './ecs.ts';
import { createElbv2Service } from './elbv2.ts';
import { createIamService } from './iam.ts';
import { createLogsService } from './logs.ts';
import { createRegistryService } from './registry.ts';
import { createS3Service } from './s3.ts';
import { createSecretsManagerService } from './secretsmanager.ts';
import { createSsmService } from './ssm.ts';
import { createStsService } from './sts.ts';

export function createServices(): ServiceModule[] {
  const ecrStore = createEcrStore(); // one image store per emulator, shared by ECR and the /v2 registry
  return [
    createEcsService(),
    createEcrService(ecrStore),
    createRegistryService(ecrStore),
    createLogsService(),
    createElbv2Service(),
    createStsService(),
    createIamService(),
    createSecretsManagerService(),
    createSsmService(),
    createS3Service(),
    createCloudFrontService(),
  ];
}

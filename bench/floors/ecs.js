// Cold-start floor for the ECS actions: create the SDK client the action creates and make one call (bench/cold-start).
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';

await new ECSClient({}).send(new DescribeServicesCommand({ cluster: 'floor', services: ['floor'] })).catch(() => {});

// Cold-start floor for the ECR actions: create the SDK client the action creates and make one call (bench/cold-start).
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';

await new ECRClient({}).send(new DescribeRepositoriesCommand({ repositoryNames: ['floor'] })).catch(() => {});

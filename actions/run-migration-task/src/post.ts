import { run } from '@deploy-actions/kit/runtime';
import { cleanup } from './cleanup';

void run(cleanup);

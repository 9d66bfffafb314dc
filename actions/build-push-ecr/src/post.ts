import { run } from '@deploy-actions/kit/runtime';
import { postCleanup } from './cleanup';

void run(postCleanup);

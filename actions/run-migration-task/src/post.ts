import { run } from '@deploy-actions/kit';
import { cleanup } from './cleanup';

void run(cleanup);

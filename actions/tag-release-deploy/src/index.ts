import { run } from '@deploy-actions/kit';
import { main } from './main';

void run(main);

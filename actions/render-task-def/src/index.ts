import { run } from '@deploy-actions/kit/runtime';
import { main } from './main';

run(main);

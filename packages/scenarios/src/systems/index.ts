// The five seed systems, in seed order (shared/seeds/000 … 004).
import type { SeedSystem } from '../types.ts';
import { agentSaas } from './agent-saas.ts';
import { alva } from './alva.ts';
import { expense } from './expense.ts';
import { kaapi } from './kaapi.ts';
import { pikaia } from './pikaia.ts';

export const SYSTEMS: readonly SeedSystem[] = [pikaia, kaapi, agentSaas, alva, expense];

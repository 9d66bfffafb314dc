import { api } from './api.js';
import { renderDashboard } from './dashboard.js';

const root = document.getElementById('root');
renderDashboard(root, { stytchToken: import.meta.env.VITE_STYTCH_PUBLIC_TOKEN });
api('/api/v1/health').then((health) => {
  root.dataset.backend = health.status;
});

export function renderDashboard(root, { stytchToken }) {
  root.innerHTML = `
    <header><img src="/src/assets/logo.svg" alt="Pikaia" width="32" height="32" /> Pikaia</header>
    <main>
      <h1>Welcome back</h1>
      <p>Your organisation's workspace. Billing by Stripe (${import.meta.env.VITE_STRIPE_PUBLISHABLE_KEY ? 'live' : 'off'}).</p>
    </main>`;
  root.dataset.auth = stytchToken ? 'stytch' : 'none';
}

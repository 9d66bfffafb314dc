const base = import.meta.env.VITE_API_URL;

export async function api(path, init = {}) {
  const response = await fetch(`${base}${path}`, { credentials: 'include', ...init });
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.json();
}

#!/usr/bin/env node
// The conformance tests drive the emulator with real peers: AWS CLI v2 (/usr/bin/aws), skopeo and buildah (the
// emulator's registry tests and build-push-ecr's real builds). On a fresh
// Debian machine where we are root, install them from apt; elsewhere say what is missing (those tests then skip
// with a message naming the tool).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const wanted = [
  { bin: '/usr/bin/aws', pkg: 'awscli' },
  { bin: '/usr/bin/skopeo', pkg: 'skopeo' },
  { bin: '/usr/bin/buildah', pkg: 'buildah' },
];
const missing = wanted.filter((t) => !existsSync(t.bin));
if (missing.length === 0) process.exit(0);
const pkgs = missing.map((t) => t.pkg);
const canApt = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
if (!canApt) {
  console.warn(
    `ensure-tools: ${pkgs.join(', ')} not installed and cannot apt-get here; tests that need them will skip`,
  );
  process.exit(0);
}
console.log(`ensure-tools: apt-get install ${pkgs.join(' ')}`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
try {
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], { stdio: 'inherit', env });
} catch (err) {
  console.warn(`ensure-tools: apt-get failed (${err.message}); tests that need ${pkgs.join(', ')} will skip`);
}

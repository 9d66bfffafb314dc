// docker logs in to a config directory of this run (DOCKER_CONFIG under RUNNER_TEMP), never to ~/.docker: the ECR
// credential then exists only in a file the action deletes (and the post step deletes after a kill), and a login the
// user made before the step (another registry, amazon-ecr-login) is neither overwritten nor logged out.
// Everything else of the user's docker configuration is kept: the current context and proxies (config.json without
// its credential fields), and the contexts, CLI plugins and buildx builders (linked, so buildx still finds the builder
// docker/setup-buildx-action created). See https://docs.docker.com/reference/cli/docker/#environment-variables
// (DOCKER_CONFIG) and https://docs.docker.com/build/building/variables/#buildx_config (BUILDX_CONFIG).
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The user's docker config directory: DOCKER_CONFIG, else ~/.docker. */
export function userDockerConfigDir(env: NodeJS.ProcessEnv): string {
  return env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker');
}

/** config.json without what holds or fetches credentials (`auths`, `credsStore`, `credHelpers`). */
export function withoutCredentials(configJson: string): Record<string, unknown> {
  let config: Record<string, unknown>;
  try {
    const parsed = JSON.parse(configJson) as unknown;
    config = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? { ...parsed } : {};
  } catch {
    config = {};
  }
  delete config.auths;
  delete config.credsStore;
  delete config.credHelpers;
  return config;
}

/**
 * Make `dir` a docker config directory for this run and return the environment docker must run with
 * (DOCKER_CONFIG=dir, BUILDX_CONFIG=the user's buildx directory).
 */
export function prepareDockerConfig(dir: string, env: NodeJS.ProcessEnv): Record<string, string> {
  const user = userDockerConfigDir(env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const userConfig = join(user, 'config.json');
  const config = existsSync(userConfig) ? withoutCredentials(readFileSync(userConfig, 'utf8')) : {};
  writeFileSync(join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  for (const sub of ['contexts', 'cli-plugins']) {
    if (existsSync(join(user, sub))) symlinkSync(join(user, sub), join(dir, sub));
  }
  return { DOCKER_CONFIG: dir, BUILDX_CONFIG: env.BUILDX_CONFIG || join(user, 'buildx') };
}

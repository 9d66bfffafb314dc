import { DescribeRepositoriesCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { isErrorNamed } from '../runtime/errors';

// ECR tag mutability: whether ECR refuses to write or move a tag in a repository, from DescribeRepositories'
// `imageTagMutability` and its `imageTagMutabilityExclusionFilters` (the *_WITH_EXCLUSION modes). Used before any
// write, so a push or promotion that ECR would reject fails in seconds with the reason.

/** ECR repository names (CreateRepository's pattern; the 2–256 length is checked separately). */
export const ECR_REPOSITORY_NAME_RE = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
/** Docker / OCI image tag syntax. */
export const IMAGE_TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** ECR exclusion filters allow only `[0-9a-zA-Z._*-]`, so `*` is the only special character. */
export function ecrWildcardMatch(pattern: string, tag: string): boolean {
  const re = pattern
    .split('*')
    .map((part) => part.replace(/[.]/g, '\\.'))
    .join('.*');
  return new RegExp(`^${re}$`).test(tag);
}

/** Whether ECR refuses to overwrite (or move, or even re-push) `tag` in a repository with these settings. */
export function ecrTagIsImmutable(mutability: string, filters: readonly string[], tag: string): boolean {
  const matched = filters.some((f) => ecrWildcardMatch(f, tag));
  switch (mutability) {
    case 'IMMUTABLE':
      return true;
    case 'IMMUTABLE_WITH_EXCLUSION':
      return !matched;
    case 'MUTABLE_WITH_EXCLUSION':
      return matched;
    default:
      return false;
  }
}

/** What DescribeRepositories says about one repository, as the tag rules above need it. */
export interface EcrRepositorySettings {
  name: string;
  uri: string;
  mutability: string;
  /** WILDCARD filter values of the `*_WITH_EXCLUSION` modes. */
  exclusionFilters: string[];
}

/** One repository's settings; undefined when it does not exist (callers word that for their inputs). */
export async function describeEcrRepository(ecr: ECRClient, name: string): Promise<EcrRepositorySettings | undefined> {
  try {
    const out = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }));
    const repo = out.repositories?.[0];
    if (!repo?.repositoryUri) return undefined;
    return {
      name,
      uri: repo.repositoryUri,
      mutability: repo.imageTagMutability ?? 'MUTABLE',
      exclusionFilters: (repo.imageTagMutabilityExclusionFilters ?? []).map((f) => f.filter ?? '').filter(Boolean),
    };
  } catch (err) {
    if (isErrorNamed(err, 'RepositoryNotFoundException')) return undefined;
    throw err;
  }
}

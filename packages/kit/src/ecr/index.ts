// @deploy-actions/kit/ecr: ECR rules and lookups shared by build-push-ecr, tag-release-deploy, render-task-def and
// deploy-ecs (tag syntax and mutability, repository settings, tag → digest).
export {
  type EcrLookup,
  findDigest,
  type PinStep,
  parseEcrHost,
  pinnedImage,
  planDigestPins,
  resolveDigest,
  taggedDigestProblem,
} from './digest';
export {
  describeEcrRepository,
  ECR_REPOSITORY_NAME_RE,
  type EcrRepositorySettings,
  ecrTagIsImmutable,
  ecrWildcardMatch,
  IMAGE_TAG_RE,
} from './tags';

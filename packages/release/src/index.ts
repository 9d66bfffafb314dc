export { releaseNotes } from './notes';
export {
  type Check,
  DEFAULT_CHECKS,
  type ReleaseOptions,
  ReleaseRefused,
  type ReleaseResult,
  release,
} from './release';
export { bumpVersion, planStamps, stampable } from './stamp';
export { type Verified, verifyRelease } from './verify';
export { floatingTags, majorTag, minorTag, parseReleaseVersion, releaseVersions } from './version';

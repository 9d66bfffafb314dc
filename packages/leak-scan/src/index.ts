export { base64Fragment, type Form, leakForms, MIN_FRAGMENT, secretLabel } from './forms.ts';
export { type LeakHit, type ScanOptions, type ScanResult, scanPaths } from './scan.ts';
export { readSecretList } from './secret-list.ts';

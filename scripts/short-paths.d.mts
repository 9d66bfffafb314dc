// Types for scripts/short-paths.mjs (plain JS so scripts/build.mjs runs it without a build step).
export declare const GENERATED: string;
export declare function listActionNames(root: string): string[];
export declare function renderShortPath(name: string, text: string): string;
export declare function expectedShortPaths(root: string): Map<string, string>;
export declare function writeShortPaths(root: string): string[];
export declare function checkShortPaths(root: string): string[];

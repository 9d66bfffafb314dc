// The closing line of `pnpm test`, from vitest's JSON report. A test file that fails to import, or whose
// beforeAll/afterAll throws, has no failed test of its own (vitest counts its tests as skipped, or has none): it is
// counted as a failure here, so an import error can never end with "0 failed" (#16).

/** `tests: N passed, N failed, N skipped; files: N failed of N` (`report` undefined: no report was written). */
export function closingLine(report) {
  if (!report) return { line: 'tests: 0 passed, 1 failed (no vitest report was written)', failed: 1 };
  const files = report.testResults ?? [];
  const failedFiles = files.filter((f) => f.status === 'failed');
  const withoutFailedTest = failedFiles.filter(
    (f) => !(f.assertionResults ?? []).some((a) => a.status === 'failed'),
  ).length;
  const failed = (report.numFailedTests ?? 0) + withoutFailedTest;
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  const line =
    `tests: ${report.numPassedTests ?? 0} passed, ${failed} failed, ${skipped} skipped; ` +
    `files: ${failedFiles.length} failed of ${files.length}`;
  return { line, failed };
}

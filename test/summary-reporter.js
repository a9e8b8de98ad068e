// Prints one plain closing line after Jest's own summary, e.g. "tests: 12 passed, 0 failed",
// so that the outcome is the last line of the log, for people and CI alike.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `tests: ${results.numPassedTests} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : "");
    // Jest prints its own summary after the custom reporters; this goes out last.
    process.once("exit", () => process.stdout.write(`\n${line}\n`));
  }
}
module.exports = SummaryReporter;

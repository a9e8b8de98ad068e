/**
 * Runs a check script of test/fidelity with the Python environment `make setup` installs into
 * .tools/py (tools/python/requirements.txt), and reads its one JSON line per check.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

export interface CheckResult {
  check: string;
  ok: boolean;
  detail: unknown;
  trace?: string;
}

const python = resolve(__dirname, "../../.tools/py/bin/python");

/** Runs `script` (a file next to this one) with `args`; rejects when it prints no result at all. */
export function runPythonChecks(script: string, args: string[], timeoutMs: number): Promise<CheckResult[]> {
  if (!existsSync(python)) throw new Error(`${python} is missing: run make setup, which installs tools/python/requirements.txt.`);
  return new Promise((resolvePromise, reject) =>
    execFile(python, [join(__dirname, script), ...args], { timeout: timeoutMs }, (error, out, err) => {
      if (error && !out.trim()) {
        reject(new Error(`${script}: ${error.message}\n${err}\n(a missing module? make setup installs tools/python/requirements.txt into .tools/py)`));
        return;
      }
      resolvePromise(
        out
          .trim()
          .split("\n")
          .map((line) => JSON.parse(line) as CheckResult),
      );
    }),
  );
}

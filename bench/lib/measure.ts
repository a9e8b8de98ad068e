/** What the benchmarks share: timing a step, and printing a figure on an aligned line. */

/** Runs `fn` and returns its value with the milliseconds it took. */
export async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return [value, Number(process.hrtime.bigint() - start) / 1e6];
}

/** Prints `label` and `value` on one line, the values aligned. */
export const line = (label: string, value: string): void => console.log(`${label.padEnd(52)}${value.padStart(12)}`);

export const ms = (v: number): string => `${v.toFixed(0)} ms`;

/** Runs a benchmark's `main`, printing only the message of a failure and exiting with 1. */
export function runMain(main: () => Promise<void>): void {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}

/** Prints one row of a table: `label`, then each value right-aligned in `width` columns. */
export const row = (label: string, values: readonly string[], labelWidth = 52, width = 12): void =>
  console.log(`${label.padEnd(labelWidth)}${values.map((v) => v.padStart(width)).join("")}`);

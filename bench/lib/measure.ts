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

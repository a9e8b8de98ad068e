/** The errors every resource kind raises, and how an error becomes a sentence for the user. */

/**
 * A configuration mistake. The message names the config key and the environment variables that
 * set it and says how to fix it; it never contains a credential value.
 */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * A partial failure: the resource exists but did not reach the declared state. Pulumi records it
 * with this id and these properties (which must hold `__provider`), and the next `up` calls
 * `update` to repair it.
 */
export class ResourceInitError extends Error {
  constructor(
    message: string,
    readonly id: string,
    readonly properties: Record<string, unknown>,
    readonly reasons: string[],
  ) {
    super(message);
    this.name = "ResourceInitError";
  }
}

/** The message of an error, or the text of anything else thrown. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The message of an error, led by what to do about it when the service refused with one of the
 * codes of `hints` (a resource kind's advice for its own operations).
 */
export function explainCode(error: unknown, hints: Readonly<Record<string, string>>): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  const hint = typeof code === "string" ? hints[code] : undefined;
  return hint ? `${hint} (${describeError(error)})` : describeError(error);
}

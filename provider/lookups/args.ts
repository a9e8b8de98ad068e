/**
 * The arguments of the lookup functions as a program hands them over (typed in TypeScript, anything
 * at all from JavaScript or from an unwrapped Output): each is checked, every problem is collected,
 * and all of them are reported at once, before any API call.
 */

/** The names of the lookup functions, as messages show them. */
export type LookupName = "getImage" | "getImages" | "getOsVersions" | "getQuota";

/** A lookup that cannot be done as asked: its message says what was asked and what to do. */
export class LookupError extends Error {
  override name = "LookupError";
}

/** Reads one lookup's arguments; {@link ArgsReader.done} throws every problem found. */
export class ArgsReader {
  private readonly problems: string[] = [];
  private readonly args: Record<string, unknown>;

  constructor(
    readonly fn: LookupName,
    raw: unknown,
    known: readonly string[],
  ) {
    if (raw !== undefined && raw !== null && (typeof raw !== "object" || Array.isArray(raw))) {
      throw new LookupError(`${fn} takes an object of arguments, e.g. ${fn}({ region: "ap-southeast-1" }); it was given ${JSON.stringify(raw)}.`);
    }
    this.args = (raw ?? {}) as Record<string, unknown>;
    for (const [key, value] of Object.entries(this.args)) {
      if (value !== undefined && !known.includes(key)) this.problems.push(`${key} is not an argument of ${fn}; its arguments are ${known.join(", ")}`);
    }
  }

  /** The value of `key`; null counts as not given (an unwrapped Output may hold it). */
  private value(key: string): unknown {
    const value = this.args[key];
    return value === null ? undefined : value;
  }

  private problem(text: string): undefined {
    this.problems.push(text);
    return undefined;
  }

  /** A non-empty string. */
  text(key: string): string | undefined {
    const value = this.value(key);
    if (value === undefined) return undefined;
    if (typeof value !== "string" || value.trim() === "") return this.problem(`${key} must be a non-empty string, not ${JSON.stringify(value)}`);
    return value;
  }

  /** One of `values`; `aliases` names what a value not taken means (e.g. the service's name of one). */
  oneOf<T extends string>(key: string, values: readonly T[], aliases: Readonly<Record<string, string>> = {}): T | undefined {
    const value = this.value(key);
    if (value === undefined) return undefined;
    if (typeof value === "string" && (values as readonly string[]).includes(value)) return value as T;
    const alias = typeof value === "string" ? aliases[value] : undefined;
    return this.problem(`${key} must be one of ${values.join(", ")}, not ${JSON.stringify(value)}${alias ? ` (${alias})` : ""}`);
  }

  /** A list of values each one of `values`. */
  listOf<T extends string>(key: string, values: readonly T[]): T[] {
    const value = this.value(key);
    if (value === undefined) return [];
    if (!Array.isArray(value) || value.some((v) => !(values as readonly unknown[]).includes(v))) {
      this.problem(`${key} must be a list of ${values.join(", ")}, not ${JSON.stringify(value)}`);
      return [];
    }
    return [...new Set(value as T[])];
  }

  boolean(key: string): boolean {
    const value = this.value(key);
    if (value === undefined) return false;
    if (typeof value !== "boolean") this.problem(`${key} must be true or false, not ${JSON.stringify(value)}`);
    return value === true;
  }

  /** A whole number of 0 or more. */
  count(key: string): number | undefined {
    const value = this.value(key);
    if (value === undefined) return undefined;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) return this.problem(`${key} must be a whole number of 0 or more, not ${JSON.stringify(value)}`);
    return value;
  }

  /** A regular expression: a RegExp, or the text of one (JavaScript syntax, no flags). */
  regex(key: string): RegExp | undefined {
    const value = this.value(key);
    if (value === undefined) return undefined;
    // `g` and `y` make test() remember where it stopped: a copy without them tests every name afresh.
    if (value instanceof RegExp) return new RegExp(value.source, value.flags.replace(/[gy]/g, ""));
    if (typeof value !== "string" || value === "") return this.problem(`${key} must be a regular expression or its text, e.g. "^web-\\\\d+$", not ${JSON.stringify(value)}`);
    try {
      return new RegExp(value);
    } catch (error) {
      return this.problem(`${key} ${JSON.stringify(value)} is not a valid regular expression (${(error as Error).message})`);
    }
  }

  /** An object of tag keys to values (strings; an empty value matches a tag given by its key alone). */
  tags(key: string): [string, string][] {
    const value = this.value(key);
    if (value === undefined) return [];
    if (typeof value !== "object" || Array.isArray(value) || Object.entries(value as object).some(([k, v]) => k === "" || typeof v !== "string")) {
      this.problem(`${key} must be an object of tag keys to string values, e.g. { team: "platform" }, not ${JSON.stringify(value)}`);
      return [];
    }
    return Object.entries(value as Record<string, string>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** Throws a {@link LookupError} naming every problem found. */
  done(): void {
    if (this.problems.length > 0) throw new LookupError(`${this.fn}: ${this.problems.join("; ")}.`);
  }
}

/** Where a lookup looks: a region and an `ims:profiles` entry, both optional. */
export interface LookupTarget {
  region?: string;
  profile?: string;
}

export const TARGET_ARGS = ["region", "profile"] as const;

/** The region and profile of a lookup's arguments. */
export function readTarget(reader: ArgsReader): LookupTarget {
  const target: LookupTarget = {};
  const region = reader.text("region");
  const profile = reader.text("profile");
  if (region !== undefined) target.region = region;
  if (profile !== undefined) target.profile = profile;
  return target;
}

/** Values as the engine hands them over and takes them back. */

/** A bag of properties as the engine passes it (inputs or outputs, with `__provider`). */
export type Raw = Record<string, unknown>;

/** Pulumi's placeholder for a value not known during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** True when the value, or anything inside it, is not known yet (preview). */
export const isUnknown = (value: unknown): boolean =>
  value === UNKNOWN || (typeof value === "object" && value !== null && Object.values(value).some(isUnknown));

/** A value that is given and known. */
export const known = (value: unknown): boolean => value !== undefined && !isUnknown(value);

/** JSON-clean copy: no undefined (the engine's Struct conversion refuses it). */
export const clean = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** Equal as JSON, undefined and null alike. */
export const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

import { ImsError, img } from "./errors";

/** A parsed JSON request body or query, read field by field with the service's errors. */
export type Fields = Record<string, unknown>;

const typeError = (key: string, expected: string): ImsError => img("0001", `The field ${key} must be ${expected}.`);

/** The body as an object; anything else is IMG.0001 (an absent body is IMG.0007). */
export function asObject(body: unknown): Fields {
  if (body === undefined) throw img("0007");
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw img("0001");
  return body as Fields;
}

export function optString(fields: Fields, key: string): string | undefined {
  const v = fields[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw typeError(key, "a string");
  return v;
}

export function reqString(fields: Fields, key: string, missing: ImsError): string {
  const v = optString(fields, key);
  if (v === undefined || v === "") throw missing;
  return v;
}

export function optInt(fields: Fields, key: string): number | undefined {
  const v = fields[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v)) throw typeError(key, "an integer");
  return v;
}

export function optBool(fields: Fields, key: string): boolean | undefined {
  const v = fields[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw typeError(key, "true or false");
  return v;
}

export function optStringArray(fields: Fields, key: string): string[] | undefined {
  const v = fields[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) throw typeError(key, "an array of strings");
  return v as string[];
}

export function optObjectArray(fields: Fields, key: string): Fields[] | undefined {
  const v = fields[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => x === null || typeof x !== "object" || Array.isArray(x))) {
    throw typeError(key, "an array of objects");
  }
  return v as Fields[];
}

/** One of `values`, or `invalid` when given anything else. */
export function optEnum<T extends string>(fields: Fields, key: string, values: readonly T[], invalid: ImsError): T | undefined {
  const v = optString(fields, key);
  if (v === undefined) return undefined;
  if (!(values as readonly string[]).includes(v)) throw invalid;
  return v as T;
}

/**
 * Field tables: each resource kind states once, per input, what a change of it does, and lists its
 * outputs. The allowed-key check, the diff and the SDK's list of outputs are derived from the table.
 */
import { isUnknown, same, type Raw } from "./values";
import type { CheckFailure } from "./validate";

/**
 * What a change of an input does: `replace` makes a new cloud object; `update` changes the object in
 * place; `none` calls no API (credentials, time budgets, delete-time options), but is still recorded
 * by an update so that later operations use the new value; `create` is read only when the object is
 * created (the creation marker), and a change of it is no change at all.
 */
export type FieldRule = "replace" | "update" | "none" | "create";

/**
 * The table of one resource kind. `inputs` names every input (and nothing else); `outputs` names
 * every output that is not an input: `true` when the SDK class shows it, `false` when it is kept in
 * the state for the provider's own use.
 */
export interface ResourceSchema<Inputs, Outputs> {
  readonly inputs: { readonly [K in keyof Required<Inputs>]: FieldRule };
  readonly outputs: { readonly [K in Exclude<keyof Outputs, keyof Inputs>]-?: boolean };
}

type AnySchema = { readonly inputs: Readonly<Record<string, FieldRule>>; readonly outputs: Readonly<Record<string, boolean>> };

/** The outputs the SDK class declares (to seed as `undefined` in its props). */
export function sdkOutputs(schema: AnySchema): Record<string, undefined> {
  return Object.fromEntries(
    Object.entries(schema.outputs)
      .filter(([, shown]) => shown)
      .map(([name]) => [name, undefined]),
  );
}

/** The inputs part of a bag of properties (outputs hold the inputs as last applied). */
export function inputsOf<Inputs>(schema: AnySchema, raw: Raw): Inputs {
  return Object.fromEntries(Object.keys(schema.inputs).filter((k) => raw[k] !== undefined).map((k) => [k, raw[k]])) as Inputs;
}

/** A failure for every key that is not an input of the resource. */
export function unknownKeys(schema: AnySchema, raw: Raw): CheckFailure[] {
  return Object.keys(raw)
    .filter((key) => key !== "__provider" && !(key in schema.inputs))
    .map((key) => ({ property: key, reason: `${key} is not an input of this resource; the inputs are ${Object.keys(schema.inputs).join(", ")}` }));
}

export interface InputChanges {
  /** Inputs whose change replaces the resource. */
  replaces: string[];
  /** Inputs whose change is applied (or recorded) by an update. */
  updates: string[];
}

/**
 * Which inputs changed between the state (`olds`, the last outputs) and the program (`news`), by the
 * rules of the table. A value unknown during preview counts as a change. `compare` replaces the plain
 * JSON comparison of an input (it returns true when the input changed); inputs in `skip` are left
 * to the caller.
 */
export function changedInputs<Inputs>(
  schema: AnySchema,
  olds: Raw,
  news: Raw,
  options: { compare?: Partial<Record<keyof Inputs & string, (old: unknown, value: unknown) => boolean>>; skip?: readonly (keyof Inputs & string)[] } = {},
): InputChanges {
  const changes: InputChanges = { replaces: [], updates: [] };
  for (const [key, rule] of Object.entries(schema.inputs)) {
    if (rule === "create" || options.skip?.includes(key as keyof Inputs & string)) continue;
    const compare = options.compare?.[key as keyof Inputs & string];
    const changed = isUnknown(news[key]) || (compare ? compare(olds[key], news[key]) : !same(olds[key], news[key]));
    if (changed) (rule === "replace" ? changes.replaces : changes.updates).push(key);
  }
  return changes;
}

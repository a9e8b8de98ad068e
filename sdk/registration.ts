import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { sdkOutputs, type FieldRule } from "../provider/common/schema";

/**
 * The creation marker of a resource: a digest of what makes its URN (project, stack, type, name and
 * parent), so the same for every run of the same stack. The provider tags what it creates with it
 * until the resource is recorded, so that a run after an interrupted one recognises what that run
 * made instead of making it again.
 */
export function creationMarker(type: string, name: string, opts: pulumi.CustomResourceOptions | undefined): pulumi.Output<string> {
  // The parent's URN as a plain value, not as its Output: an input that depends on a component makes the
  // resource depend on all of the component's children, so two siblings would wait for each other forever.
  const parent = opts?.parent;
  const parentUrn = parent ? new Promise<string>((resolve) => parent.urn.apply(resolve)) : "";
  return pulumi.output(parentUrn).apply((parentUrn) =>
    createHash("sha256").update([pulumi.getProject(), pulumi.getStack(), type, name, parentUrn].join("\u0000")).digest("hex").slice(0, 32),
  );
}

/** How a resource class registers with the engine. */
export interface Registration {
  /** The class, e.g. "PrivateImage". */
  kind: string;
  /** Its properties, seeded as undefined (the SDK shows only what is named at registration): see {@link shownProperties}. */
  outputs: Record<string, undefined>;
  /** What to use instead of the `import` option. */
  importAdvice: string;
  /** Whether it creates an image: then it carries a creation marker and its `name` may be left to Pulumi. */
  createsImage: boolean;
}

/** `customTimeouts` as the `timeouts` input (the engine does not pass them to dynamic providers). */
function timeoutsOf(custom: pulumi.CustomTimeouts | undefined): Record<string, string> | undefined {
  if (!custom) return undefined;
  const timeouts = Object.fromEntries(Object.entries({ create: custom.create, update: custom.update, delete: custom.delete }).filter(([, v]) => v !== undefined));
  return Object.keys(timeouts).length ? (timeouts as Record<string, string>) : undefined;
}

/**
 * The properties a resource registers: its outputs (seeded), its arguments, and what the provider
 * needs besides them. With `opts.id` (the class's static `get`), only `state`: the engine reads the
 * existing object. The `import` option is refused here, with what to use instead: Pulumi cannot
 * import dynamic resources (its import step never reaches their provider).
 */
export function registrationProps(
  r: Registration,
  name: string,
  args: object | undefined,
  opts: pulumi.CustomResourceOptions | undefined,
  state: object = {},
): Record<string, unknown> {
  if (opts?.import !== undefined) {
    throw new Error(`${r.kind} "${name}": the import option does not work for pulumi-ims resources (Pulumi cannot import dynamic resources); ${r.importAdvice}`);
  }
  if (opts?.id !== undefined) return { ...r.outputs, ...state };
  const given = (args ?? {}) as Record<string, unknown>;
  const timeouts = given.timeouts ?? timeoutsOf(opts?.customTimeouts);
  return {
    ...r.outputs,
    ...given,
    ...(timeouts !== undefined ? { timeouts } : {}),
    ...(r.createsImage ? { creationMarker: creationMarker(`ims:${r.kind}`, name, opts), resourceName: name } : {}),
  };
}

/**
 * The properties a class shows, to seed as `undefined` at registration (the engine gives a resource only the
 * properties named there): the outputs its field table shows, and its inputs (the state holds them as last
 * applied), but those that only the SDK sets at creation (rule `create`).
 */
export function shownProperties(schema: { readonly inputs: Readonly<Record<string, FieldRule>>; readonly outputs: Readonly<Record<string, boolean>> }): Record<string, undefined> {
  const inputs = Object.entries(schema.inputs).filter(([, rule]) => rule !== "create");
  return { ...Object.fromEntries(inputs.map(([name]) => [name, undefined])), ...sdkOutputs(schema) };
}

/** Options for reading an existing object by id (the static `get` of every class). */
export const byId = (id: pulumi.Input<pulumi.ID>, opts: pulumi.CustomResourceOptions | undefined): pulumi.CustomResourceOptions => ({ ...opts, id });

/**
 * Lowers `Error.stackTraceLimit` to 0 while a resource class with many properties (each image
 * kind, ImageMember, ImageExport) registers, and returns what restores it: call it in a `finally`
 * around `super(...)`. The Node.js SDK gives each property four promises and records a stack trace
 * on each, kept only for its "promise leaked" report (which still names the resource and the
 * property); with the source maps it installs, those traces cost more than the rest of the
 * registration. The source position the engine records is read by the SDK under a limit of its
 * own and is unchanged. `bench/scale.ts`: a no-change `pulumi preview` of 500 images took about
 * 15 s with the traces and 7.5 s without.
 */
export function withoutPropertyTraces(): () => void {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  return () => {
    Error.stackTraceLimit = limit;
  };
}

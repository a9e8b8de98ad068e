import type * as pulumi from "@pulumi/pulumi";
import type { ResourceKind } from "../provider/types";

export type { ResourceKind };

/**
 * Builds the object Pulumi serializes into the state of every resource of one kind.
 *
 * Pulumi stores a resource's provider as code and runs that frozen code for later `refresh` and
 * `destroy`. So the shim holds nothing but the resource kind: each call loads the provider
 * implementation from the pulumi-ims package installed in the program's directory (the provider
 * process runs there) and forwards to it. Upgrading pulumi-ims therefore upgrades every existing
 * resource, and no credential or client object can end up in state.
 *
 * Each shim is the whole export of its own module under `sdk/shims/`: when pulumi-ims is
 * installed in `node_modules`, Pulumi then stores a mere `require("pulumi-ims/shims/<kind>")`.
 * Where the package is used from a source checkout, the functions below are stored as text.
 */
export function shimFor(kind: ResourceKind): pulumi.dynamic.ResourceProvider {
  // The bodies run in the engine's provider process, never in the program, and resolve a bare
  // module name from the program directory. Pulumi serializes each function on its own, so each
  // is written out in full rather than through a shared helper.
  /* eslint-disable @typescript-eslint/no-require-imports */
  return {
    configure: (...a) => require("pulumi-ims/provider").providerFor(kind).configure(...a),
    check: (...a) => require("pulumi-ims/provider").providerFor(kind).check(...a),
    diff: (...a) => require("pulumi-ims/provider").providerFor(kind).diff(...a),
    create: (...a) => require("pulumi-ims/provider").providerFor(kind).create(...a),
    read: (...a) => require("pulumi-ims/provider").providerFor(kind).read(...a),
    update: (...a) => require("pulumi-ims/provider").providerFor(kind).update(...a),
    delete: (...a) => require("pulumi-ims/provider").providerFor(kind).delete(...a),
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

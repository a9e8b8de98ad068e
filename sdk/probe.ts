import * as pulumi from "@pulumi/pulumi";
import probeShim = require("./shims/probe");

/** Arguments of a {@link Probe}. */
export interface ProbeArgs {
  /** Any text of 1 to 255 characters. Changing it updates the probe in place. */
  message: pulumi.Input<string>;
}

/**
 * A resource that calls no cloud API: it checks that the Pulumi engine can load pulumi-ims from
 * the program's `node_modules` and run every lifecycle step, and it is the no-op baseline of the
 * benchmarks. Type token: `pulumi-nodejs:dynamic/ims:Probe`.
 */
export class Probe extends pulumi.dynamic.Resource {
  /** The message, as last applied. */
  declare public readonly message: pulumi.Output<string>;
  /** `pulumi-ims@<version>`: the installed package that served the last create or update. */
  declare public readonly servedBy: pulumi.Output<string>;

  constructor(name: string, args: ProbeArgs, opts?: pulumi.CustomResourceOptions) {
    super(probeShim, name, { message: args.message, servedBy: undefined }, opts, "ims", "Probe");
  }
}

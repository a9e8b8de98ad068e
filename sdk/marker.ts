import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

/**
 * The creation marker of a resource: a digest of what makes its URN (project, stack, type, name and
 * parent), so the same for every run of the same stack. The provider tags what it creates with it
 * until the resource is recorded, so that a run after an interrupted one recognises what that run
 * made instead of making it again.
 */
export function creationMarker(type: string, name: string, opts: pulumi.CustomResourceOptions | undefined): pulumi.Output<string> {
  const parent: pulumi.Input<string> = opts?.parent ? opts.parent.urn : "";
  return pulumi.output(parent).apply((parentUrn) =>
    createHash("sha256").update([pulumi.getProject(), pulumi.getStack(), type, name, parentUrn].join("\u0000")).digest("hex").slice(0, 32),
  );
}

/**
 * The run-time side of pulumi-ims: what the engine's provider process executes. The serialized
 * shim of each resource (sdk/shim.ts) loads this module from the installed package and asks it
 * for the implementation of one resource kind.
 */
import type * as pulumi from "@pulumi/pulumi";
import { configure } from "./config";
import { packageInfo } from "./package-info";
import { imageCopyProvider } from "./copies/lifecycle";
import { imageProvider } from "./images/lifecycle";
import { imageMemberProvider } from "./members/lifecycle";
import { probe } from "./probe";
import { RESOURCE_KINDS, type ImsResourceProvider, type ResourceKind } from "./types";

export { configure } from "./config";
export { packageInfo } from "./package-info";
export { RESOURCE_KINDS, type ImsResourceProvider, type ResourceKind } from "./types";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const implementations: Record<ResourceKind, ImsResourceProvider<any, any>> = {
  Probe: probe,
  PrivateImage: imageProvider("private"),
  DataImage: imageProvider("data"),
  ImageMember: imageMemberProvider,
  ImageCopy: imageCopyProvider,
};

/** The implementation of one resource kind, with `configure` shared by all kinds. */
export function providerFor(kind: string): Required<pulumi.dynamic.ResourceProvider> {
  if (!(RESOURCE_KINDS as readonly string[]).includes(kind)) {
    const { version } = packageInfo();
    throw new Error(
      `pulumi-ims ${version} has no resource kind "${kind}". The state was written by another version ` +
        `of pulumi-ims: install that version in the program's directory (npm install pulumi-ims@<version>).`,
    );
  }
  return { configure, ...implementations[kind as ResourceKind] };
}

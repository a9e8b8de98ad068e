import type * as pulumi from "@pulumi/pulumi";

/**
 * What `read` returns. The SDK types `inputs` as outputs; the engine stores them as the
 * resource's inputs (so later diffs compare against what the cloud really holds).
 */
export interface ImsReadResult<Inputs, Outputs> {
  /** The resource id; empty when the resource is gone, which drops it from state. */
  id: string;
  props?: Outputs;
  inputs?: Inputs;
}

/**
 * What every pulumi-ims resource implements. The SDK's `dynamic.ResourceProvider` leaves most
 * methods optional, and a missing `update` or `read` silently loses outputs or state; here each
 * lifecycle method is required, so a resource that forgets one does not compile.
 */
export type ImsResourceProvider<Inputs, Outputs> = Required<
  Pick<pulumi.dynamic.ResourceProvider<Inputs, Outputs>, "check" | "diff" | "create" | "update" | "delete">
> & {
  read(id: string, props?: Outputs): Promise<ImsReadResult<Inputs, Outputs>>;
};

/** The resource kinds this package serves; the serialized shim stores nothing but one of these. */
export const RESOURCE_KINDS = ["Probe", "PrivateImage", "DataImage", "ImageMember", "ImageCopy", "ImageExport"] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

// The demo stack of `make demo`. It grows with the resources pulumi-ims offers.
import * as pulumi from "@pulumi/pulumi";
import * as ims from "pulumi-ims";

const config = new pulumi.Config();

const probe = new ims.Probe("engine-check", {
  message: config.get("message") ?? "pulumi-ims is loaded by the Pulumi engine",
});

export const probeId = probe.id;
export const probeMessage = probe.message;
export const servedBy = probe.servedBy;

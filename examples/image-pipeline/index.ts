// A golden-image pipeline: each build is made in the home region, copied to the other regions and
// shared with the consumer projects there, which accept it with their own credentials. Consumers
// follow the latest build or stay pinned to one. nightly.ts runs it every night with the Automation
// API (see README.md for the configuration).
import * as pulumi from "@pulumi/pulumi";
import * as ims from "pulumi-ims";

/** A build as the stack configuration lists it (`builds`): its version and its image file, in OBS or on this machine. */
export interface BuildSetting {
  version: string;
  imageUrl?: string;
  localFile?: string;
}

/** A consumer as the stack configuration lists it (`consumers`); nightly.ts moves the pin of a `stable` one. */
export interface ConsumerSetting extends ims.ImagePipelineConsumer {
  channel?: "latest" | "stable";
}

const config = new pulumi.Config();
const osVersion = config.get("osVersion") ?? "Ubuntu 24.04 server 64bit";
const minDisk = config.getNumber("minDisk") ?? 40;

const builds = config.getObject<BuildSetting[]>("builds") ?? [
  { version: config.get("version") ?? "2026-12-01", imageUrl: config.get("imageUrl") ?? "images-bucket:ubuntu-24.04.qcow2" },
];
const declared = config.getObject<ConsumerSetting[]>("consumers") ?? [
  { name: "analytics", projectId: config.require("analyticsProjectId"), profile: "analytics" },
];

const source = (build: BuildSetting): ims.PrivateImageSource =>
  build.localFile !== undefined ? { localFile: build.localFile, osVersion, minDisk } : { imageUrl: build.imageUrl!, osVersion, minDisk };

const golden = new ims.ImagePipeline("golden", {
  name: config.get("imageName") ?? "ubuntu-golden",
  builds: builds.map((b) => ({ version: b.version, source: source(b) })),
  regions: config.getObject<string[]>("regions") ?? ["ap-southeast-3"],
  agencyName: config.get("agencyName") ?? "ims_admin_agency",
  consumers: declared.map(({ channel: _channel, ...consumer }) => consumer),
  description: "Golden Ubuntu image, built nightly",
  tags: { pipeline: "golden" },
});

export const latestVersion = golden.latestVersion;
export const versions = golden.versions;
export const regions = golden.regions;
export const consumers = golden.consumers;

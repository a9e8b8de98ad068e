// A golden image exported to an OBS bucket twice: as a qcow2 file, and quickly as ZVHD2 (see
// README.md for the configuration). The files stay in the bucket when the exports are destroyed.
import * as pulumi from "@pulumi/pulumi";
import * as ims from "pulumi-ims";

const config = new pulumi.Config();
const bucket = config.get("bucket") ?? "images-bucket";

const golden = new ims.PrivateImage("golden", {
  name: "ubuntu-24.04-golden",
  source: { imageUrl: config.get("imageUrl") ?? "images-bucket:ubuntu-24.04.qcow2", osVersion: "Ubuntu 24.04 server 64bit", minDisk: 40 },
});

// The image id in the file name: a new image is exported to a new file (IMS never writes over one).
const qcow2 = new ims.ImageExport("golden-qcow2", {
  imageId: golden.id,
  bucketUrl: pulumi.interpolate`${bucket}:exports/ubuntu-24.04-golden-${golden.id}.qcow2`,
  fileFormat: "qcow2",
});

const zvhd2 = new ims.ImageExport("golden-zvhd2", {
  imageId: golden.id,
  bucketUrl: pulumi.interpolate`${bucket}:exports/ubuntu-24.04-golden-${golden.id}.zvhd2`,
  quickExport: true,
  timeouts: { create: "2h" },
});

export const qcow2File = qcow2.bucketUrl;
export const zvhd2File = { url: zvhd2.bucketUrl, format: zvhd2.exportedFormat, exportedAt: zvhd2.exportedAt };

// Data-disk images: one imported from an OBS image file, one made from an ECS server's data volume.
import * as pulumi from "@pulumi/pulumi";
import * as ims from "pulumi-ims";

const config = new pulumi.Config();

const fromFile = new ims.DataImage("logs-from-file", {
  name: "logs-disk",
  source: { imageUrl: config.get("imageUrl") ?? "images-bucket:data-disk.vhd", minDisk: 40, osType: "Linux" },
  tags: { team: "platform" },
});

const volumeId = config.get("volumeId");
const fromVolume = volumeId ? new ims.DataImage("data-from-volume", { name: "web-01-data", source: { volumeId } }) : undefined;

export const fileImageId = fromFile.id;
export const volumeImageId = fromVolume?.id;

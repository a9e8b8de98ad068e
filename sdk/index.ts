/**
 * pulumi-ims: Pulumi resources for the Image Management Service (IMS) of Huawei Cloud, G42 Cloud
 * and Open Telekom Cloud.
 */
export { PrivateImage, DataImage, type PrivateImageArgs, type DataImageArgs } from "./images";
export { ManagedImage, type ImageTimeouts, type ImageLookup } from "./managed-image";
export type {
  PrivateImageSource,
  PrivateImageFileSource,
  PrivateImageIsoFileSource,
  PrivateImageQuickImportSource,
  PrivateImageLocalFileSource,
  PrivateImageServerSource,
  PrivateImageFullServerSource,
  PrivateImageVolumeSource,
  PrivateImageBackupSource,
  DataImageSource,
  DataImageFileSource,
  DataImageQuickImportSource,
  DataImageVolumeSource,
} from "./sources";
export { ImageMember, type ImageMemberArgs, type ImageMemberConsumer, type SharedImageView } from "./members";
export { ImageCopy, type ImageCopyArgs } from "./copies";
export { signRequest, type SignInput, type SignOutput } from "../provider/client/core/signer";

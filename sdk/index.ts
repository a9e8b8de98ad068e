/**
 * pulumi-ims: Pulumi resources for the Image Management Service (IMS) of Huawei Cloud, G42 Cloud
 * and Open Telekom Cloud.
 */
export { PrivateImage, DataImage, type PrivateImageArgs, type DataImageArgs, type DataImageRecord } from "./images";
export { ManagedImage, type ImageTimeouts, type ImageLookup } from "./managed-image";
export type {
  PrivateImageSource,
  PrivateImageFileSource,
  PrivateImageIsoFileSource,
  PrivateImageQuickImportSource,
  PrivateImageRegisteredFileSource,
  PrivateImageDataDisk,
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
export {
  getImage,
  getImageOutput,
  getImages,
  getImagesOutput,
  getOsVersions,
  getOsVersionsOutput,
  getQuota,
  getQuotaOutput,
  type LookupTarget,
  type ImageFilters,
  type GetImageArgs,
  type GetImagesArgs,
  type GetOsVersionsArgs,
  type GetQuotaArgs,
  type LookupInputs,
  type GetImageOutputArgs,
  type GetImagesOutputArgs,
  type GetOsVersionsOutputArgs,
  type GetQuotaOutputArgs,
  type ImageInfo,
  type GetImagesResult,
  type OsVersionInfo,
  type GetOsVersionsResult,
  type GetQuotaResult,
} from "./lookups";
export {
  ImagePipeline,
  type ImagePipelineArgs,
  type ImagePipelineBuildsArgs,
  type ImagePipelineSourceArgs,
  type ImagePipelineBuild,
  type ImagePipelineConsumer,
  type ImagePipelineRegionImages,
  type ImagePipelineConsumerImage,
} from "./pipeline";
export { ImageExport, type ImageExportArgs, type ImageExportFileArgs, type ImageExportQuickArgs } from "./exports";

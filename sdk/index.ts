/**
 * pulumi-ims: Pulumi resources for the Image Management Service (IMS) of Huawei Cloud, G42 Cloud
 * and Open Telekom Cloud.
 */
export {
  PrivateImage,
  DataImage,
  type PrivateImageArgs,
  type DataImageArgs,
  type PrivateImageSource,
  type DataImageSource,
  type ImageTimeouts,
} from "./images";
export { ImageMember, type ImageMemberArgs, type ImageMemberConsumer, type SharedImageView } from "./members";
export { ImageCopy, type ImageCopyArgs } from "./copies";
export { signRequest, type SignInput, type SignOutput } from "../provider/client/core/signer";

/**
 * Errors of the emulated cloud. Each kind renders as the body the real service or its API gateway
 * sends (IMS API Reference, Error Codes, ims_03_0908; API Request Signing Guide, error codes); the
 * HTTP layer turns them into responses in one
 * place (http/respond.ts).
 */

/** An IMS service error: `{"error":{"code":"IMG.0027","message":"…"}}`, mostly HTTP 400. */
export class ImsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = "ImsError";
  }
}

/** An API-gateway error: `{"error_code":"APIGW.0301","error_msg":"…","request_id":"…"}`. */
export class GatewayError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "GatewayError";
  }
}

/** An IAM (Keystone-style) error: `{"error":{"code":401,"message":"…","title":"Unauthorized"}}`. */
export class IamError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly title: string,
  ) {
    super(message);
    this.name = "IamError";
  }
}

/** The service's literal messages for the codes the emulator emits (IMS API Reference, Error Codes). */
export const IMG = {
  "0001": "The request message format is invalid.",
  "0002": "The image name contains more than 128 characters.",
  "0003": "The image name format is invalid.",
  "0004": "The description contains more than 1024 characters.",
  "0005": "The ECS does not exist.",
  "0007": "The request body is empty.",
  "0010": "The ECS has running tasks.",
  "0012": "The ECS ID is not specified.",
  "0013": "The image name is not specified.",
  "0015": "The number of private images has reached the maximum allowed.",
  "0017": "The URL format is incorrect.",
  "0019": "The backup ID is not specified.",
  "0020": "The backup does not exist.",
  "0024": "The image type in the request is incorrect.",
  "0027": "The image ID in the request does not exist.",
  "0028": "The image in the request is protected.",
  "0029": "The backup in the request has already been used to create an image.",
  "0035": "The attribute conflicts with an existing attribute.",
  "0046": "The image is unavailable.",
  "0047": "This operation can be performed only by the image owner.",
  "0054": "The image description format is invalid.",
  "0055": "The memory or disk size is invalid.",
  "0056": "Invalid OS version.",
  "0057":
    "The image file is empty, not found, or in incorrect format, or you do not have enough permission to access the file.",
  "0058": "The region of the bucket where the image file is stored is inconsistent with that of the user.",
  "0059": "The size of the image file exceeds the maximum allowed.",
  "0060": "The number of tasks exceeds the flow control limit.",
  "0066": "The image ID is incorrect.",
  "0067": "The project ID is incorrect.",
  "0068": "The specified bucket name is empty.",
  "0069": "The specified bucket cannot be accessed.",
  "0070": "The image file already exists.",
  "0071": "The image cannot be exported.",
  "0072": "The specified image format is not supported.",
  "0073": "The name of the exported file is empty.",
  "0076": "You cannot share an image with yourself.",
  "0077": "The public image cannot be exported.",
  "0088": "The number of shared images has reached the maximum allowed.",
  "0089": "The public image cannot be shared.",
  "0090": "The image being created cannot be deleted.",
  "0092": "The image can only be deleted by the owner.",
  "0094": "The public image cannot be deleted.",
  "0095": "The KMS key does not exist.",
  "0098": "The encrypted image cannot be shared.",
  "0104": "The project name must be specified because there are multiple projects in the region.",
  "0106": "The image owner is another tenant.",
  "0111": "The system disk of the ECS is larger than 1 TB: create a full-ECS image instead.",
  "0115": "The image tag is invalid.",
  "0116": "The number of image tags exceeds the quota.",
  "0120": "The data disk ID is unavailable.",
  "0122": "The OS type is invalid.",
  "0123": "The same image file URL is given more than once.",
  "0128": "The full-ECS image cannot be exported.",
  "0130": "The full-ECS image cannot be exported or replicated.",
  "0135": "The full-ECS image cannot be shared.",
  "0140": "The disks belong to different ECSs.",
  "0141": "The value of hw_firmware_type is not uefi or bios.",
  "0145": "The project name is incorrect.",
  "0148": "The image is being exported.",
  "0155": "Failed to check the enterprise project ID validity.",
  "0160": "Only images smaller than 128 GB can be exported; use fast export for larger images.",
  "0166": "OS information must be contained in the ISO files used to create images.",
  "0167": "This operation cannot be performed for ISO images.",
  "0168": "Data disk images cannot be updated.",
  "0177": "The source and target tenants are in different regions.",
  "0178": "The target tenant is the same as the source tenant.",
  "0179": "The agency token of the source tenant is invalid.",
  "0196": "The image cannot be replicated because it is not accepted by the recipient.",
  "0198": "The backup ID does not match the backup type.",
  "0212": "The value of Architecture must be x86 or Arm.",
  "1075": "Failed to register the image file.",
} as const;

export type ImgCode = keyof typeof IMG;

/** An IMS error with the service's own message for `code`, optionally followed by a detail. */
export function img(code: ImgCode, detail?: string, status = 400): ImsError {
  const message = detail ? `${IMG[code]} ${detail}` : IMG[code];
  return new ImsError(`IMG.${code}`, message, status);
}

/** Unknown image on a Glance-compatible path: 404 with the IMS error shape. */
export function glanceNotFound(imageId: string): ImsError {
  return new ImsError("IMG.0027", `No image found with ID ${imageId}`, 404);
}

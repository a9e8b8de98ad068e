/**
 * The IMS REST client: transport (undici), AK/SK signing or IAM tokens, safe retries, adaptive
 * job waiting, and typed operations grouped by API area.
 */
import { ApiClient, type ClientSettings, type OperationSpec } from "./core/client";
import { copyOperations, CopiesApi } from "./copies";
import { imageOperations, ImagesApi } from "./images";
import { jobOperations, JobsApi } from "./jobs";
import { memberOperations, MembersApi } from "./members";
import { tagOperations, TagsApi } from "./tags";

export class ImsClient {
  readonly api: ApiClient;
  readonly images: ImagesApi;
  readonly jobs: JobsApi;
  readonly members: MembersApi;
  readonly copies: CopiesApi;
  readonly tags: TagsApi;

  constructor(settings: ClientSettings) {
    this.api = new ApiClient(settings);
    this.images = new ImagesApi(this.api);
    this.jobs = new JobsApi(this.api);
    this.members = new MembersApi(this.api);
    this.copies = new CopiesApi(this.api);
    this.tags = new TagsApi(this.api);
  }

  projectId(): Promise<string> {
    return this.api.projectId();
  }
}

/** Every operation the client can call: the API inventory the emulator is checked against. */
export const ALL_OPERATIONS: Record<string, OperationSpec<unknown>> = {
  ...imageOperations,
  ...jobOperations,
  ...memberOperations,
  ...copyOperations,
  ...tagOperations,
};

export type { ClientSettings, OperationSpec, CallInput, CallResult } from "./core/client";
export type { AuthSettings, Credentials } from "./core/auth";
export { tokenRequestCount, clearAuthCaches } from "./core/auth";
export { signRequest, sdkDate, type SignInput, type SignOutput } from "./core/signer";
export { ImsApiError, ImsJobFailedError, ImsNetworkError, ImsOutcomeUnknownError, ImsTimeoutError, redact } from "./core/errors";
export { imsEndpoint, iamEndpoint, CLOUDS, KNOWN_REGIONS, suggestRegion, type Cloud, type EndpointOverrides } from "./endpoints";
export { jobImageIds, type Job, type JobRef } from "./jobs";
export { closeAllPools } from "./core/transport";
export { flowSnapshot, resetFlow, type FlowSnapshot } from "./core/flow";
export type { DataFileRequest, Image } from "./images";
export type { Member } from "./members";

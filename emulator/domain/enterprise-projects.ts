/**
 * Enterprise projects: every private image belongs to one enterprise project of its account, the
 * default one (`0`) unless its create request or an update names another by its UUID (IMS API
 * Reference: Creating an Image, Updating Image Information and the other create APIs, parameter
 * `enterprise_project_id`; Querying Images, the `enterprise_project_id` filter; Error Codes,
 * IMG.0155).
 */
import { img } from "./errors";
import { optString, type Fields } from "./input";
import type { Image } from "./model";
import type { Caller, World } from "./world";

/** The id of every account's default enterprise project, which always exists. */
export const DEFAULT_ENTERPRISE_PROJECT = "0";

/** The E1 filter value that matches the images of every enterprise project the user may see. */
export const ALL_GRANTED_EPS = "all_granted_eps";

/** The enterprise project an image belongs to; public images belong to none. */
export function enterpriseProjectOf(image: Image): string | undefined {
  if (image.imagetype === "gold") return undefined;
  return image.properties.enterprise_project_id ?? DEFAULT_ENTERPRISE_PROJECT;
}

/**
 * The enterprise project `id` names for the caller's account: `0` (or an empty value) for the
 * default one, else one the account has. Anything else is IMG.0155, the service's code for an
 * enterprise project ID that fails its validity check (IMG.0154 is for EPS being unreachable,
 * IMG.0156 for a failed association after the check).
 */
export function checkEnterpriseProject(world: World, caller: Caller, id: string): string {
  if (id === "" || id === DEFAULT_ENTERPRISE_PROJECT) return DEFAULT_ENTERPRISE_PROJECT;
  if (world.enterpriseProject(caller.project.domainId, id)) return id;
  throw img(
    "0155",
    `The enterprise project ${id} does not exist in this account: give 0 for the default enterprise project ` +
      "or the ID of one of the account's enterprise projects (Enterprise Project Management lists them).",
  );
}

/** Stores an image's enterprise project: the default one is not stored. */
export function setEnterpriseProject(image: Pick<Image, "properties">, id: string): void {
  if (id === DEFAULT_ENTERPRISE_PROJECT) delete image.properties.enterprise_project_id;
  else image.properties.enterprise_project_id = id;
}

/** The `enterprise_project_id` of a create request, checked, as the new image's properties. */
export function enterpriseProjectProperty(world: World, caller: Caller, fields: Fields): Record<string, string> {
  const id = optString(fields, "enterprise_project_id");
  const checked = id === undefined ? DEFAULT_ENTERPRISE_PROJECT : checkEnterpriseProject(world, caller, id);
  return checked === DEFAULT_ENTERPRISE_PROJECT ? {} : { enterprise_project_id: checked };
}

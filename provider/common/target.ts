/** Which client a resource uses: its own region, profile and project, else the provider's. */
import { clientFor, type TargetOptions } from "../config";

/** The client and target of a resource from its `region` and `profile` inputs (and a chosen project). */
export function clientOf(inputs: { region?: string | undefined; profile?: string | undefined; project?: TargetOptions["project"] }) {
  return clientFor({
    ...(inputs.region ? { region: inputs.region } : {}),
    ...(inputs.profile ? { profile: inputs.profile } : {}),
    ...(inputs.project ? { project: inputs.project } : {}),
  });
}

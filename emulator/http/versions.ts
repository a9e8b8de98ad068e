/**
 * Version discovery, unauthenticated, for the two OpenStack-style APIs that share the emulator's
 * port: identity (IAM, Keystone-compatible) under `/v3`, images (Glance-compatible) at `/`,
 * `/v1…` and `/v2…`.
 *
 * - `GET /v3` and `GET /v3/`: 200 with the identity v3 version document, as in "Querying Information
 *   About Keystone API 3.0" (KeystoneShowVersion) of the Huawei Cloud IAM API Reference. Keystone
 *   clients (keystoneauth, hence openstacksdk and the openstack CLI) read it from the auth URL.
 * - `GET /`: 300 with Glance's version list (IMS API Reference, Native OpenStack APIs). On the real
 *   cloud IAM answers `GET /` on its own host with `{"versions": {"values": [identity v3]}}`
 *   (KeystoneListVersions), while the IMS host answers `{"versions": [v2.2, …]}`. Here both APIs share one host and the two documents cannot be merged:
 *   `versions` is an object in one and an array in the other, and a client looking for images would
 *   take an identity "v3.6" for the newest image API. `/` stays Glance's, which image clients need
 *   (they discover from the catalog's image endpoint, the bare base URL); identity clients find their
 *   version at the auth URL, `/v3`.
 */
import { notFoundRoute } from "./respond";
import { ok, type Context, type Reply, type Route } from "./router";

const open = (path: string, handle: (ctx: Context) => Reply): Route => ({ method: "GET", path, auth: "none", family: "ims", handle });

/** The identity v3 version as IAM describes it (its id, status and date are those of the public example). */
function identityVersion(baseUrl: string) {
  return {
    id: "v3.6",
    status: "stable",
    updated: "2016-04-04T00:00:00Z",
    links: [{ rel: "self", href: `${baseUrl}/v3/` }],
    "media-types": [{ base: "application/json", type: "application/vnd.openstack.identity-v3+json" }],
  };
}

function imageVersions(baseUrl: string) {
  const v2 = [{ href: `${baseUrl}/v2/`, rel: "self" }];
  const v1 = [{ href: `${baseUrl}/v1/`, rel: "self" }];
  return [
    { status: "CURRENT", id: "v2.2", links: v2 },
    { status: "SUPPORTED", id: "v2.1", links: v2 },
    { status: "SUPPORTED", id: "v2.0", links: v2 },
    { status: "DEPRECATED", id: "v1.1", links: v1 },
    { status: "DEPRECATED", id: "v1.0", links: v1 },
  ];
}

/** One version, asked for by its path segment (`v3`, `v2`, `v2.1`, `v1`…). */
function oneVersion(baseUrl: string, segment: string): Reply {
  if (segment === "v3") return ok({ version: identityVersion(baseUrl) });
  const wanted = segment === "v2" ? "v2.2" : segment === "v1" ? "v1.1" : segment;
  const found = imageVersions(baseUrl).filter((v) => v.id === wanted);
  // Not a version of either API: an unknown path, answered by the gateway.
  if (found.length === 0) throw notFoundRoute();
  return ok({ versions: found }, 300);
}

export const versionRoutes: Route[] = [
  open("/", (ctx) => ok({ versions: imageVersions(ctx.runtime.baseUrl) }, 300)),
  // One version, with or without the trailing slash the version links carry.
  ...["/{version}", "/{version}/"].map((path) => open(path, (ctx) => oneVersion(ctx.runtime.baseUrl, ctx.params.version))),
];

/**
 * How the ims-emulator command line picks the emulator to talk to (--url, IMS_EMULATOR_URL, the
 * default) and what it says when nothing answers there: the pure parts of emulator/admin/remote.ts.
 * test/emulator/cli.test.ts runs the same through the built CLI against real sockets.
 */
import { AdminUrlError, adminTarget, unreachableMessage, type AdminTarget } from "../../emulator/admin/remote";

const DEFAULT = "http://127.0.0.1:7439";

/** A failed fetch as Node reports it: "fetch failed", the socket error as its cause. */
const fetchFailed = (code: string, message: string, extra: Record<string, unknown> = {}): Error =>
  new TypeError("fetch failed", { cause: Object.assign(new Error(message), { code, ...extra }) });

describe("adminTarget", () => {
  it("--url wins over IMS_EMULATOR_URL, which wins over the default; a trailing slash is dropped", () => {
    expect(adminTarget("http://a:1/", "http://b:2", DEFAULT)).toEqual({ url: "http://a:1", source: "--url" });
    expect(adminTarget(undefined, "https://b:2//", DEFAULT)).toEqual({ url: "https://b:2", source: "IMS_EMULATOR_URL" });
    expect(adminTarget(undefined, undefined, DEFAULT)).toEqual({ url: DEFAULT, source: "default" });
  });

  it("an empty IMS_EMULATOR_URL counts as unset", () => {
    expect(adminTarget(undefined, "", DEFAULT).source).toBe("default");
  });

  it.each([
    ["--url", "localhost:7439", undefined],
    ["--url", "", undefined],
    ["IMS_EMULATOR_URL", undefined, "file:///tmp/x"],
  ])("refuses what is not an http(s) URL, naming %s", (source, flag, env) => {
    expect(() => adminTarget(flag, env, DEFAULT)).toThrow(AdminUrlError);
    expect(() => adminTarget(flag, env, DEFAULT)).toThrow(new RegExp(`^${source} must be an http:// or https:// URL of ims-emulator, got "`));
  });
});

describe("unreachableMessage", () => {
  const refused = fetchFailed("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:7439");

  it("the default URL: says it is the default, how to name another and how to start one", () => {
    expect(unreachableMessage({ url: DEFAULT, source: "default" }, refused)).toBe(
      "cannot reach ims-emulator at http://127.0.0.1:7439 (the default; --url or IMS_EMULATOR_URL name another): " +
        "connect ECONNREFUSED 127.0.0.1:7439. Is it running? Start one with: ims-emulator --port 7439",
    );
  });

  it("the start command names the host when it is not loopback, and TLS for an https:// URL", () => {
    const target: AdminTarget = { url: "https://10.0.0.5:8443", source: "IMS_EMULATOR_URL" };
    expect(unreachableMessage(target, refused)).toMatch(
      /^cannot reach ims-emulator at https:\/\/10\.0\.0\.5:8443 \(from IMS_EMULATOR_URL\): .*Start one with: ims-emulator --port 8443 --host 10\.0\.0\.5 --tls-cert cert\.pem --tls-key key\.pem$/,
    );
  });

  it("a connection refused on every address of a name reports the first", () => {
    const aggregate = new TypeError("fetch failed", {
      cause: new AggregateError([Object.assign(new Error("connect ECONNREFUSED ::1:7439"), { code: "ECONNREFUSED" })], ""),
    });
    expect(unreachableMessage({ url: "http://localhost:7439", source: "--url" }, aggregate)).toContain(
      "(given by --url): connect ECONNREFUSED ::1:7439. Is it running?",
    );
  });

  it("an untrusted certificate: says so and how to trust its CA", () => {
    const untrusted = fetchFailed("UNABLE_TO_VERIFY_LEAF_SIGNATURE", "unable to verify the first certificate");
    expect(unreachableMessage({ url: "https://127.0.0.1:7439", source: "--url" }, untrusted)).toBe(
      "ims-emulator at https://127.0.0.1:7439 (given by --url) answered with a certificate this machine does not trust " +
        "(unable to verify the first certificate). Let Node trust the CA that signed its --tls-cert: NODE_EXTRA_CA_CERTS=ca.pem ims-emulator …",
    );
  });

  it("an OpenSSL error is shown by its short reason, with the scheme to try", () => {
    const wrongScheme = fetchFailed("ERR_SSL_WRONG_VERSION_NUMBER", "80:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:ssl3_record.c:350:", {
      reason: "wrong version number",
    });
    expect(unreachableMessage({ url: "https://127.0.0.1:7439", source: "--url" }, wrongScheme)).toBe(
      "cannot talk to ims-emulator at https://127.0.0.1:7439 (given by --url): wrong version number. " +
        "If the emulator serves plain HTTP (started without --tls-cert), use http://.",
    );
  });

  it("an unknown host name, and a port fetch refuses, are named as such", () => {
    const notFound = fetchFailed("ENOTFOUND", "getaddrinfo ENOTFOUND emulator.invalid");
    expect(unreachableMessage({ url: "http://emulator.invalid:7439", source: "--url" }, notFound)).toBe(
      "cannot reach ims-emulator at http://emulator.invalid:7439 (given by --url): getaddrinfo ENOTFOUND emulator.invalid: no such host.",
    );
    const badPort = new TypeError("fetch failed", { cause: new Error("bad port") });
    expect(unreachableMessage({ url: "http://127.0.0.1:6000", source: "--url" }, badPort)).toContain("Node's fetch does not connect to port 6000");
  });
});

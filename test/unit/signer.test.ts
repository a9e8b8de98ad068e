/**
 * The client's AK/SK signer: the public vectors, and agreement with the emulator's verifier (an
 * independent reading of the same algorithm) on odd paths, unicode, reserved characters, empty
 * values and repeated keys.
 */
import { signRequest, sdkDate } from "../../provider/client/core/signer";
import { signRequest as rootExport } from "../../sdk";
import { DEFAULT_AKSK_OPTIONS, Lockout, verifyAkSk } from "../../emulator/http/aksk";
import { defaultWorldState, World } from "../../emulator/domain/world";
import { vectors } from "../helpers/vectors";

const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());

describe("signRequest", () => {
  it("is exported from the package root", () => {
    expect(rootExport).toBe(signRequest);
  });

  it.each(vectors.map((v) => [v.id, v] as const))("%s: reproduces the published signature", (_id, v) => {
    const url = `https://${v.headers.Host}${v.path}${v.query.length ? "?" + v.query.map(([k, x]) => `${enc(k)}=${enc(x)}`).join("&") : ""}`;
    const out = signRequest({ accessKey: v.ak, secretKey: v.sk, method: v.method, url, headers: v.headers, body: v.body });
    expect(out.signature).toBe(v.expect);
    expect(out.authorization).toBe(`SDK-HMAC-SHA256 Access=${v.ak}, SignedHeaders=${out.signedHeaders}, Signature=${v.expect}`);
    expect(out.stringToSign.split("\n")[2]).toBe(v.sha256CanonicalRequest);
  });

  it("canonicalises the query: %20 for space, %2A, %2F, ~ kept, sorted by byte order with repeated keys", () => {
    const out = signRequest({
      accessKey: "AK",
      secretKey: "SK",
      method: "GET",
      url: "https://h/p?test=%E4%B8%80%20(%26%3D%3F!%23%25.*)&limit=1&multi=3&multi=1&multi=2&path=%2Ftmp%2F123&enable=true",
      headers: { Host: "h", "X-Sdk-Date": "20200101T000000Z" },
    });
    expect(out.canonicalRequest.split("\n")[2]).toBe(
      "enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123&test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29",
    );
  });

  it("adds the trailing slash to the path only for signing, and keeps empty query values", () => {
    const out = signRequest({ accessKey: "AK", secretKey: "SK", method: "get", url: "https://h/v2/cloudimages?a=&b", headers: { "X-Sdk-Date": "20200101T000000Z" } });
    const [method, path, query] = out.canonicalRequest.split("\n");
    expect([method, path, query]).toEqual(["GET", "/v2/cloudimages/", "a=&b="]);
  });

  it("signs UNSIGNED-PAYLOAD instead of the body hash when asked", () => {
    const out = signRequest({
      accessKey: "AK",
      secretKey: "SK",
      method: "PUT",
      url: "https://h/v2/images/x/file",
      headers: { "X-Sdk-Date": "20200101T000000Z", "X-Sdk-Content-Sha256": "UNSIGNED-PAYLOAD" },
      body: Buffer.from([1, 2, 3]),
    });
    expect(out.canonicalRequest.endsWith("\nUNSIGNED-PAYLOAD")).toBe(true);
  });

  it("does not sign names with underscores, and refuses a missing or malformed X-Sdk-Date", () => {
    const out = signRequest({ accessKey: "AK", secretKey: "SK", method: "GET", url: "https://h/", headers: { "X-Sdk-Date": "20200101T000000Z", TEST_UNDERSCORE: "x" } });
    expect(out.signedHeaders).toBe("x-sdk-date");
    expect(() => signRequest({ accessKey: "AK", secretKey: "SK", method: "GET", url: "https://h/", headers: {} })).toThrow(/X-Sdk-Date/);
    expect(() => signRequest({ accessKey: "AK", secretKey: "SK", method: "GET", url: "https://h/", headers: { "X-Sdk-Date": "2020-01-01" } })).toThrow(/X-Sdk-Date/);
  });

  it("formats X-Sdk-Date as 16 characters", () => {
    expect(sdkDate(new Date("2019-11-15T03:36:55.123Z"))).toBe("20191115T033655Z");
  });

  describe("agrees with the emulator's verifier", () => {
    const state = defaultWorldState();
    const key = state.accessKeys[0];
    const world = new World(state);
    const cases = [
      "/v2/cloudimages",
      "/v2/cloudimages?name=a%20b%2Bc&__imagetype=private",
      "/v1/cloudimages/os_version?tag=uefi&tag=arm&tag=bms",
      "/v2/cloudimages?name=%E4%B8%80%E4%BA%8C&sort_key=name",
      "/v2/cloudimages?empty=&name=x~y*z(1)!%27",
      "/v2/images/a%20b/tags/caf%C3%A9",
      "/v2/cloudimages/?x=%2F%3F%23%5B%5D%40",
      "/",
    ];
    it.each(cases)("%s", (pathAndQuery) => {
      const url = new URL(`http://127.0.0.1:7439${pathAndQuery}`);
      const date = sdkDate();
      const headers = { Host: url.host, "X-Sdk-Date": date, "Content-Type": "application/json", "X-Project-Id": key.defaultProjectId };
      const body = '{"k":"v ü"}';
      const signed = signRequest({ accessKey: key.access, secretKey: key.secret, method: "POST", url, headers, body });
      const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
      const caller = verifyAkSk(
        world,
        {
          method: "POST",
          rawPath: url.pathname,
          rawQuery: url.search.slice(1),
          headers: { ...lower, authorization: signed.authorization },
          body: Buffer.from(body),
        },
        Date.now(),
        new Lockout(),
        DEFAULT_AKSK_OPTIONS,
      );
      expect(caller.project.id).toBe(key.defaultProjectId);
    });
  });
});

/**
 * `SDK-HMAC-SHA256` request signing for Huawei Cloud, G42 Cloud and Open Telekom Cloud APIs
 * (AK/SK authentication). The SK's UTF-8 bytes are the HMAC key; there is no key derivation.
 */
import { createHash, createHmac } from "node:crypto";

export interface SignInput {
  accessKey: string;
  secretKey: string;
  method: string;
  /** The URL as sent on the wire (percent-encoded). */
  url: string | URL;
  /**
   * The headers to sign, with the values that go on the wire. Must include `X-Sdk-Date`
   * (`YYYYMMDDTHHMMSSZ`) and normally `Host`; nothing is added. Names with `_` are not signed.
   */
  headers: Record<string, string>;
  /** The exact body bytes (a string is taken as UTF-8). */
  body?: string | Uint8Array;
}

export interface SignOutput {
  /** The `Authorization` header value. */
  authorization: string;
  signedHeaders: string;
  signature: string;
  canonicalRequest: string;
  stringToSign: string;
}

export const ALGORITHM = "SDK-HMAC-SHA256";
const UNSIGNED = "UNSIGNED-PAYLOAD";

/** RFC 3986 unreserved characters stay; every other UTF-8 byte becomes %XY (upper-case hex). */
function encodeUnreserved(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new Error(`cannot sign: "${value}" is not valid percent-encoding`);
  }
}

function canonicalPath(pathname: string): string {
  const path = pathname.split("/").map((segment) => encodeUnreserved(decode(segment))).join("/");
  return path.endsWith("/") ? path : `${path}/`;
}

function canonicalQueryString(search: string): string {
  const query = search.startsWith("?") ? search.slice(1) : search;
  if (query === "") return "";
  return query
    .split("&")
    .filter((pair) => pair !== "")
    .map((pair) => {
      const at = pair.indexOf("=");
      const name = at < 0 ? pair : pair.slice(0, at);
      const value = at < 0 ? "" : pair.slice(at + 1);
      return [encodeUnreserved(decode(name)), encodeUnreserved(decode(value))];
    })
    .sort(([an, av], [bn, bv]) => (an === bn ? compare(av, bv) : compare(an, bn)))
    .map(([name, value]) => `${name}=${value}`)
    .join("&");
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const sha256Hex = (data: string | Uint8Array): string => createHash("sha256").update(data).digest("hex");

/** Signs a request; see {@link SignInput} for what must be given. */
export function signRequest(input: SignInput): SignOutput {
  const url = typeof input.url === "string" ? new URL(input.url) : input.url;
  const headers = new Map<string, string>();
  for (const [name, value] of Object.entries(input.headers)) {
    const lower = name.toLowerCase();
    if (lower.includes("_") || lower === "authorization") continue;
    if (headers.has(lower)) throw new Error(`cannot sign: header ${lower} is given twice`);
    headers.set(lower, String(value).trim());
  }
  const date = headers.get("x-sdk-date");
  if (!date || !/^\d{8}T\d{6}Z$/.test(date)) throw new Error("cannot sign: X-Sdk-Date must be given as YYYYMMDDTHHMMSSZ");
  const names = [...headers.keys()].sort();
  const signedHeaders = names.join(";");
  const payloadHash = headers.get("x-sdk-content-sha256") === UNSIGNED ? UNSIGNED : sha256Hex(input.body ?? "");
  const canonicalRequest = [
    input.method.toUpperCase(),
    canonicalPath(url.pathname),
    canonicalQueryString(url.search),
    names.map((name) => `${name}:${headers.get(name)}\n`).join(""),
    signedHeaders,
    payloadHash,
  ].join("\n");
  const stringToSign = `${ALGORITHM}\n${date}\n${sha256Hex(canonicalRequest)}`;
  const signature = createHmac("sha256", Buffer.from(input.secretKey, "utf8")).update(stringToSign).digest("hex");
  return {
    authorization: `${ALGORITHM} Access=${input.accessKey}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    signedHeaders,
    signature,
    canonicalRequest,
    stringToSign,
  };
}

/** `X-Sdk-Date` for a moment: `YYYYMMDDTHHMMSSZ`, UTC. */
export function sdkDate(at: Date = new Date()): string {
  return at.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

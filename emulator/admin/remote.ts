/**
 * The admin API of a running emulator, as the `ims-emulator <command>` line reaches it: which URL
 * (and why that one), the call, and errors that say what to do when nothing answers there or the
 * answer is an error.
 */

/** Where the admin URL came from: `--url`, the IMS_EMULATOR_URL variable, or the default. */
export type UrlSource = "--url" | "IMS_EMULATOR_URL" | "default";

export interface AdminTarget {
  /** Base URL of the emulator, without a trailing slash. */
  url: string;
  source: UrlSource;
}

/** An admin URL that is not an http:// or https:// URL: a mistake in the command line or environment. */
export class AdminUrlError extends Error {}

/** The emulator to talk to: `--url`, else IMS_EMULATOR_URL (when not empty), else `defaultUrl`. */
export function adminTarget(flag: string | undefined, env: string | undefined, defaultUrl: string): AdminTarget {
  const [raw, source]: [string, UrlSource] = flag !== undefined ? [flag, "--url"] : env ? [env, "IMS_EMULATOR_URL"] : [defaultUrl, "default"];
  let parsed: URL | undefined;
  try {
    parsed = new URL(raw);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
    throw new AdminUrlError(`${source} must be an http:// or https:// URL of ims-emulator, got ${JSON.stringify(raw)}`);
  }
  return { url: raw.replace(/\/+$/, ""), source };
}

/** "the URL given by --url", and so on: how the URL was chosen, for messages. */
function origin(target: AdminTarget): string {
  if (target.source === "--url") return `${target.url} (given by --url)`;
  if (target.source === "IMS_EMULATOR_URL") return `${target.url} (from IMS_EMULATOR_URL)`;
  return `${target.url} (the default; --url or IMS_EMULATOR_URL name another)`;
}

/** The command that starts an emulator where the target points. */
function startHint(target: AdminTarget): string {
  const url = new URL(target.url);
  const https = url.protocol === "https:";
  const port = url.port || (https ? "443" : "80");
  const host = url.hostname === "127.0.0.1" || url.hostname === "localhost" ? "" : ` --host ${url.hostname.replace(/^\[|\]$/g, "")}`;
  return `ims-emulator --port ${port}${host}${https ? " --tls-cert cert.pem --tls-key key.pem" : ""}`;
}

/** Error codes Node gives a TLS connection whose certificate it does not trust. */
const UNTRUSTED = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME/;
/** Nothing accepts connections at that address. */
const NOTHING_THERE = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "ETIMEDOUT", "UND_ERR_CONNECT_TIMEOUT"]);
/** The host name does not resolve. */
const NO_SUCH_HOST = new Set(["ENOTFOUND", "EAI_AGAIN"]);

interface Cause {
  code?: unknown;
  message?: unknown;
  /** OpenSSL's short reason ("wrong version number"), where its message is a long error string. */
  reason?: unknown;
  cause?: unknown;
  errors?: unknown[];
}

/** The innermost cause of a failed fetch ("fetch failed" says nothing): its code and a readable text. */
function rootCause(error: unknown): { code: string; text: string } {
  let e = error as Cause | undefined;
  while (e && typeof e === "object" && e.cause) e = e.cause as Cause;
  // Connecting to a name with several addresses fails with one error per address.
  if (e && Array.isArray(e.errors) && e.errors.length > 0 && !e.code) e = e.errors[0] as Cause;
  const code = typeof e?.code === "string" ? e.code : "";
  const message = typeof e?.reason === "string" ? e.reason : typeof e?.message === "string" ? e.message : String(e);
  return { code, text: message || code || "fetch failed" };
}

/** Why the request did not get an answer, and what to do about it. */
export function unreachableMessage(target: AdminTarget, error: unknown): string {
  const { code, text } = rootCause(error);
  const where = `ims-emulator at ${origin(target)}`;
  if (UNTRUSTED.test(code)) {
    return (
      `${where} answered with a certificate this machine does not trust (${text}). ` +
      `Let Node trust the CA that signed its --tls-cert: NODE_EXTRA_CA_CERTS=ca.pem ims-emulator …`
    );
  }
  if (NOTHING_THERE.has(code)) return `cannot reach ${where}: ${text}. Is it running? Start one with: ${startHint(target)}`;
  if (NO_SUCH_HOST.has(code)) return `cannot reach ${where}: ${text}: no such host.`;
  // The fetch standard's blocked ports (Node's fetch keeps to it), e.g. 1, 9, 6000.
  if (text === "bad port") return `cannot reach ${where}: Node's fetch does not connect to port ${new URL(target.url).port}; run the emulator on another port.`;
  const scheme = target.url.startsWith("https:")
    ? "If the emulator serves plain HTTP (started without --tls-cert), use http://."
    : "If the emulator serves HTTPS (started with --tls-cert), use https://.";
  return `cannot talk to ${where}: ${text}. ${scheme}`;
}

const BODY_SHOWN = 2000;

/** An admin call against `target`; JSON answers parsed, other bodies returned as bytes (undefined when empty). */
export async function callAdmin(target: AdminTarget, method: string, path: string, body?: unknown): Promise<unknown> {
  const raw = Buffer.isBuffer(body);
  let res: Response;
  try {
    res = await fetch(`${target.url}/_emulator${path}`, {
      method,
      ...(body !== undefined ? { body: raw ? body : JSON.stringify(body) } : {}),
      headers: body === undefined ? {} : { "Content-Type": raw ? "application/octet-stream" : "application/json" },
    });
  } catch (e) {
    throw new Error(unreachableMessage(target, e), { cause: e });
  }
  const bytes = Buffer.from(await res.arrayBuffer());
  if (!res.ok) {
    const text = bytes.toString("utf8");
    const shown = text.length > BODY_SHOWN ? `${text.slice(0, BODY_SHOWN)}… (${bytes.length} bytes)` : text || "(empty body)";
    throw new Error(`${method} /_emulator${path} at ${origin(target)} answered HTTP ${res.status} ${res.statusText}: ${shown}`);
  }
  if (res.headers.get("content-type")?.includes("json")) return JSON.parse(bytes.toString("utf8"));
  return bytes.length ? bytes : undefined;
}

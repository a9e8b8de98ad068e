/**
 * A throwaway certificate authority and a server certificate it signed for 127.0.0.1, ::1 and
 * localhost, made at run time with the openssl command (no certificate is committed). For tests
 * of HTTPS: the server gets `cert` and `key`, a client that should trust it gets `ca` / `caFile`.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestCertificate {
  /** The server certificate, PEM. */
  cert: string;
  /** Its private key, PEM. */
  key: string;
  /** The CA certificate that signed it, PEM. */
  ca: string;
  certFile: string;
  keyFile: string;
  caFile: string;
  /** The temporary directory holding the files; remove it when done. */
  dir: string;
}

/** One openssl configuration for both certificates, so the machine's openssl.cnf plays no part. */
const CONFIG = `
[req]
distinguished_name = dn
prompt = no
[dn]
CN = ims-emulator test CA
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, IP:::1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;

function openssl(dir: string, args: string[]): void {
  try {
    execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  } catch (e) {
    const error = e as NodeJS.ErrnoException & { stderr?: Buffer };
    if (error.code === "ENOENT") throw new Error("the openssl command is needed to make test certificates: install openssl", { cause: e });
    throw new Error(`openssl ${args.join(" ")} failed: ${error.stderr?.toString() ?? error.message}`, { cause: e });
  }
}

/** Makes a CA and a server certificate (P-256 keys, valid for two days) in a new temporary directory, or in `dir`. */
export function makeTestCertificate(dir: string = mkdtempSync(join(tmpdir(), "ims-tls-"))): TestCertificate {
  writeFileSync(join(dir, "openssl.cnf"), CONFIG);
  const newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl(dir, ["req", "-config", "openssl.cnf", "-x509", ...newKey, "-keyout", "ca-key.pem", "-out", "ca.pem", "-days", "2", "-extensions", "ca"]);
  openssl(dir, ["req", "-config", "openssl.cnf", "-new", ...newKey, "-keyout", "key.pem", "-out", "cert.csr", "-subj", "/CN=127.0.0.1"]);
  const serial = `0x${Date.now().toString(16)}${Math.floor(Math.random() * 0xffff).toString(16)}`;
  openssl(dir, [
    "x509", "-req", "-in", "cert.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-set_serial", serial,
    "-days", "2", "-extfile", "openssl.cnf", "-extensions", "server", "-out", "cert.pem",
  ]);
  const file = (name: string) => join(dir, name);
  return {
    cert: readFileSync(file("cert.pem"), "utf8"),
    key: readFileSync(file("key.pem"), "utf8"),
    ca: readFileSync(file("ca.pem"), "utf8"),
    certFile: file("cert.pem"),
    keyFile: file("key.pem"),
    caFile: file("ca.pem"),
    dir,
  };
}

/** The public SDK-HMAC-SHA256 known-answer vectors of test/fixtures/aksk-vectors.json. */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface Vector {
  id: string;
  ak: string;
  sk: string;
  method: string;
  path: string;
  /** Decoded query pairs. */
  query: [string, string][];
  /** Exactly the signed headers. */
  headers: Record<string, string>;
  body: string;
  sha256CanonicalRequest: string;
  expect: string;
}

export const vectors = JSON.parse(readFileSync(join(__dirname, "../fixtures/aksk-vectors.json"), "utf8")) as Vector[];

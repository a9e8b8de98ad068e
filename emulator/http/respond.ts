/**
 * One place where errors become responses, in the shape of whoever would have answered in the
 * real cloud: the IMS service, the API gateway in front of it, or IAM.
 */
import { GatewayError, IamError, ImsError } from "../domain/errors";
import type { Reply } from "./router";

export function errorReply(error: unknown, requestId: string): Reply & { internal?: boolean } {
  if (error instanceof ImsError) {
    return { status: error.status, body: { error: { code: error.code, message: error.message } } };
  }
  if (error instanceof GatewayError) {
    return {
      status: error.status,
      body: { error_code: error.code, error_msg: error.message, request_id: requestId },
      headers: error.headers,
    };
  }
  if (error instanceof IamError) {
    return { status: error.status, body: { error: { code: error.status, message: error.message, title: error.title } } };
  }
  return {
    status: 500,
    body: { error: { code: "IMG.0061", message: "An unknown system error occurred." } },
    internal: true,
  };
}

export const notFoundRoute = (): GatewayError =>
  new GatewayError("APIGW.0101", "The API does not exist or has not been published in the environment.", 404);

export const entityTooLarge = (): GatewayError => new GatewayError("APIGW.0201", "Request entity too large.", 413);

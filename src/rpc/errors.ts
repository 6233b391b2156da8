import { UnknownPolicyError } from "../config/registry.ts";
import { LimiterUnavailableError } from "../limiter/calls.ts";
import { InputError } from "../limiter/request.ts";
import { RuleConflictError } from "../rules/admin.ts";

/**
 * Runs one RPC method. Over RPC an error keeps its message, and its class only if it is one
 * of JavaScript's own, so a caller's mistake goes back as a TypeError that says what is
 * wrong; anything else is ours, logged here in one line and answered with a bare "internal
 * error", so no stack or internal detail reaches another Worker.
 */
export async function guard<T>(method: string, run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    // A TypeError survives RPC as one: the client tells a caller's mistake by it, and never
    // fails open on one.
    if (
      error instanceof InputError ||
      error instanceof UnknownPolicyError ||
      error instanceof RuleConflictError
    ) {
      throw new TypeError(error.message);
    }
    if (error instanceof LimiterUnavailableError) {
      throw new Error("limiter unavailable; retry later");
    }
    const { name, message } = error instanceof Error ? error : { name: typeof error, message: "" };
    console.error(JSON.stringify({ event: "rpc_unhandled", method, name, message }));
    throw new Error("internal error");
  }
}

import { UnknownPolicyError } from "../config/registry.ts";
import { LimiterUnavailableError } from "../limiter/calls.ts";
import { InputError } from "../limiter/request.ts";
import { RuleConflictError } from "../rules/admin.ts";

/**
 * Runs one RPC method. Over RPC an error keeps its message but loses its class, so a
 * caller's mistake goes back as a plain Error that says what is wrong; anything else is ours,
 * logged here in one line and answered with a bare "internal error", so no stack or internal
 * detail reaches another Worker.
 */
export async function guard<T>(method: string, run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (
      error instanceof InputError ||
      error instanceof UnknownPolicyError ||
      error instanceof RuleConflictError
    ) {
      throw new Error(error.message);
    }
    if (error instanceof LimiterUnavailableError) {
      throw new Error("limiter unavailable; retry later");
    }
    const { name, message } = error instanceof Error ? error : { name: typeof error, message: "" };
    console.error(JSON.stringify({ event: "rpc_unhandled", method, name, message }));
    throw new Error("internal error");
  }
}

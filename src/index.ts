import { env } from "cloudflare:workers";
import { createApp } from "./app.ts";
import { bundledRegistry } from "./config/bundled.ts";
import { rateLimiterAdminEntrypoint } from "./rpc/admin.ts";
import { rateLimiterEntrypoint } from "./rpc/entrypoint.ts";
import { createServices } from "./services.ts";

// The one place the doors are built: one registry and one limiter per isolate, whose memory
// of recent denials every door shares. The registry holds the policy set of the environment
// this worker was deployed or started with (`--env NAME` sets POLICY_ENV in wrangler.toml).
const services = createServices(bundledRegistry(env.POLICY_ENV), env);

export { LimiterObject } from "./limiter/object.ts";
export { MetricsObject } from "./metrics/object.ts";
export { RulesObject } from "./rules/object.ts";
export { GatewayObject } from "./telegram/gateway/object.ts";
export const RateLimiter = rateLimiterEntrypoint(services);
export const RateLimiterAdmin = rateLimiterAdminEntrypoint(services);
export default createApp(services) satisfies ExportedHandler<Env>;

import { env } from "cloudflare:workers";
import { createApp } from "./app.ts";
import { registry } from "./config/bundled.ts";
import { rateLimiterAdminEntrypoint } from "./rpc/admin.ts";
import { rateLimiterEntrypoint } from "./rpc/entrypoint.ts";
import { createServices } from "./services.ts";

// The one place the doors are built: one registry and one limiter per isolate, whose memory
// of recent denials every door shares.
const services = createServices(registry, env);

export { LimiterObject } from "./limiter/object.ts";
export { MetricsObject } from "./metrics/object.ts";
export { RulesObject } from "./rules/object.ts";
export const RateLimiter = rateLimiterEntrypoint(services);
export const RateLimiterAdmin = rateLimiterAdminEntrypoint(services);
export default createApp(services) satisfies ExportedHandler<Env>;

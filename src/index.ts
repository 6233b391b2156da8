import { env } from "cloudflare:workers";
import { createApp } from "./app.ts";
import { registry } from "./config/bundled.ts";
import { rateLimiterEntrypoint } from "./rpc/entrypoint.ts";
import { createServices } from "./services.ts";

// The one place the doors are built: one registry and one limiter per isolate, whose memory
// of recent denials every door shares.
const services = createServices(registry, env.LIMITER);

export { LimiterObject } from "./limiter/object.ts";
export { GatewayObject } from "./telegram/gateway/object.ts";
export const RateLimiter = rateLimiterEntrypoint(services);
export default createApp(services) satisfies ExportedHandler<Env>;

import { createApp } from "./app.ts";
import { registry } from "./config/bundled.ts";

export { LimiterObject } from "./limiter/object.ts";
export { RateLimiter } from "./rpc/entrypoint.ts";

export default createApp(registry) satisfies ExportedHandler<Env>;

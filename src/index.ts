import { registry } from "./config/bundled.ts";
import { createApp } from "./http/app.ts";

export { LimiterObject } from "./limiter/object.ts";

export default createApp(registry) satisfies ExportedHandler<Env>;

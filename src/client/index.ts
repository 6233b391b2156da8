// What a consumer Worker imports as "edge-limiter/client": the binding's types, a client that
// fails as its owner chose, the Hono middleware and the header helper. Self-contained: nothing here needs the limiter's Env or
// pulls the limiter into the consumer's bundle.
export { type ClientOptions, limiterClient } from "./client.ts";
export { DEFAULT_TIMEOUT_MS, type FailMode } from "./fail.ts";
export { rateLimitHeaders } from "./headers.ts";
export { type Limited, type LimitOptions, limit } from "./middleware.ts";
export type * from "./types.ts";

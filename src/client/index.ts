// What a consumer Worker imports as "edge-limiter/client": the binding's types, the Hono
// middleware and the header helper. Self-contained: nothing here needs the limiter's Env or
// pulls the limiter into the consumer's bundle.
export { rateLimitHeaders } from "./headers.ts";
export { type Limited, type LimitOptions, limit } from "./middleware.ts";
export type * from "./types.ts";

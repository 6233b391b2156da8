// What a consumer Worker imports as "edge-limiter/client": the binding's types and the
// Hono middleware. Nothing here pulls the limiter itself into the consumer's bundle.
export { type Limited, type LimitOptions, limit } from "./middleware.ts";
export type * from "./types.ts";

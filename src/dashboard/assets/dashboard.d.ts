// dashboard.js is served to browsers as text (wrangler.toml's `[[rules]]`), not run here.
declare const text: string;
export default text;

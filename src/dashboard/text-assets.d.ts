// Files wrangler.toml's `[[rules]]` bundle as text.
declare module "uplot/dist/uPlot.iife.min.js" {
  const text: string;
  export default text;
}
declare module "uplot/dist/uPlot.min.css" {
  const text: string;
  export default text;
}
declare module "*.css" {
  const text: string;
  export default text;
}

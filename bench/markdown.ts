// Markdown tables and number formats for the report.

export function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

export const int = (n: number) => Math.round(n).toLocaleString("en-US");
export const pct = (ratio: number) => `${(100 * ratio).toFixed(0)}%`;
export const times = (ratio: number) => `${ratio.toFixed(2)}×`;
export const perSecond = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M/s` : `${int(n)}/s`);
export const mark = (met: boolean | undefined) =>
  met === undefined ? "n/a" : met ? "met" : "**not met**";

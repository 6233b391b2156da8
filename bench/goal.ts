/**
 * One row of the report's goals table: what was measured, the figure, the goal, and whether
 * it was met (undefined: reported only). The same shape as bench/report.ts's own rows.
 */
export type Goal = [what: string, measured: string, goal: string, met?: boolean];

// Runs the storage run, the production model and the costs alone, and prints their sections
// and goals: `npx node bench/model-run.ts [--quick]`. `npm run bench` runs them with the rest.
import { costGoals, costResult, costSection } from "./cost.ts";
import type { Goal } from "./goal.ts";
import { runModel } from "./model.ts";
import { modelGoals, modelSection } from "./model-report.ts";
import { reservationGoals, reservationResult, reservationSection } from "./reservations.ts";
import { runStorage } from "./storage.ts";

const quick = process.argv.includes("--quick");
const startedMs = Date.now();
const storage = await runStorage(quick);
const model = await runModel(quick);
const reservations = reservationResult(storage);
const cost = costResult({ storage, model });

const goals: Goal[] = [...reservationGoals(reservations), ...modelGoals(model), ...costGoals(cost)];
const mark = (met: boolean | undefined) =>
  met === undefined ? "reported" : met ? "met" : "**not met**";
console.log(
  [
    reservationSection(reservations),
    modelSection(model),
    costSection(cost),
    "| goal | measured | target | |\n|---|---|---|---|",
    ...goals.map(
      ([what, measured, goal, met]) => `| ${what} | ${measured} | ${goal} | ${mark(met)} |`,
    ),
    `\n${quick ? "Quick" : "Full"} run in ${Math.round((Date.now() - startedMs) / 1000)} s.`,
  ].join("\n"),
);

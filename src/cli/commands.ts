/** Every subcommand, registered in the order `mobility --help` lists them. */
import type { Command } from "commander";
import { registerAggregate } from "./aggregate.js";
import { registerDescribe } from "./describe.js";
import { registerEventStudy } from "./eventstudy.js";
import { registerIngest } from "./ingest.js";
import { registerMerge } from "./merge.js";
import { registerPredict } from "./predict.js";
import { registerRegress } from "./regress.js";
import { registerRun } from "./run.js";
import { registerZone } from "./zone.js";

export function registerCommands(program: Command): void {
  registerRegress(program);
  registerPredict(program);
  registerEventStudy(program);
  registerDescribe(program);
  registerIngest(program);
  registerMerge(program);
  registerAggregate(program);
  registerZone(program);
  registerRun(program);
}

/** Every subcommand, registered in the order `mobility --help` lists them. */
import type { Command } from "commander";
import { registerAggregate } from "./aggregate.js";
import { registerBinscatter } from "./binscatter.js";
import { registerDescribe } from "./describe.js";
import { registerEventStudy } from "./eventstudy.js";
import { registerIngest } from "./ingest.js";
import { registerMap } from "./map.js";
import { registerMerge } from "./merge.js";
import { registerPlot } from "./plot.js";
import { registerRegress } from "./regress.js";
import { registerRun } from "./run.js";
import { registerZone } from "./zone.js";

export function registerCommands(program: Command): void {
  registerRegress(program);
  registerEventStudy(program);
  registerDescribe(program);
  registerIngest(program);
  registerMerge(program);
  registerAggregate(program);
  registerZone(program);
  registerMap(program);
  registerBinscatter(program);
  registerPlot(program);
  registerRun(program);
}

/** Every subcommand, registered in the order `mobility --help` lists them. */
import type { Command } from "commander";
import { registerDescribe } from "./describe.js";
import { registerRegress } from "./regress.js";

export function registerCommands(program: Command): void {
  registerRegress(program);
  registerDescribe(program);
}

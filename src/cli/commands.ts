/** Every subcommand, registered in the order `mobility --help` lists them. */
import type { Command } from "commander";
import { registerDescribe } from "./describe.js";

export function registerCommands(program: Command): void {
  registerDescribe(program);
}

/**
 * Atomic file output. The writer lives in src/io/atomicWrite.ts (one writer for the whole project: outputs are
 * written to an exclusive, randomly named temporary file beside the real target and renamed over it; see there);
 * this module keeps the import path the report and CLI modules use.
 */
export {
  OutputSet,
  outputTarget,
  writeFileAtomic,
  writeFileAtomicSync,
  writeOutputsAtomic,
} from "../io/atomicWrite.js";

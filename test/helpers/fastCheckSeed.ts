/**
 * Property tests draw from a fixed seed so that CI runs the same cases every time (a failure is reproducible and
 * the suite's duration does not depend on luck); FC_SEED=<n> explores other cases locally.
 */
import fc from "fast-check";

fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261202) });

/** The options every command receives from the program level (see program.ts). */
import type { ProgressFlags } from './progress.js';

export interface GlobalOptions extends ProgressFlags {
  /** Key directory (--keys, else SEALVEC_KEYS). */
  keys?: string | undefined;
  /** Accept key files that group or others can read (never ones they can write). */
  allowReadableKeys?: boolean | undefined;
}

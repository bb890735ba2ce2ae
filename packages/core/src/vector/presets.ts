/**
 * Named security/recall presets for beta. A preset is a *relative* beta: the absolute beta is
 * `betaRel * scale`, where scale is the typical norm of the vectors as encrypted: 1 for cosine
 * (unit vectors), the collection's maxNorm for dot, and the median norm of the data for euclid
 * (which the caller measures, e.g. the CLI from its first batch).
 *
 * The numbers are chosen from the measured recall-versus-leakage frontier in
 * benchmarks/results/REPORT.md (see docs/benchmarks.md), not guessed; change them only with new
 * measurements.
 */
import type { Metric } from './metric.js';

export type PresetName = 'fast' | 'balanced' | 'private';

export interface Preset {
  name: PresetName;
  /** beta relative to the data's scale. */
  betaRel: number;
  /** Default re-rank oversampling factor (candidates = k * oversample). */
  oversample: number;
  /** What the preset is for, in one line. */
  summary: string;
}

// From the size and depth sweep of `pnpm bench` (benchmarks/results/REPORT.md, "Presets from the
// sweep", and PRESETS.md; rule in packages/bench/src/run/depth-presets.ts): recall@10 with exact
// re-rank at the largest size of every dataset (GloVe-100 with 340,479 rows, SIFT, MNIST and the
// text-embedding sets), the best attack with 1,000 known pairs, and the client cost of the depth
// from the search bench (about 0.07 ms per candidate at d = 1536, so x40 = 400 candidates is about
// 28 ms and x100 about 70 ms, over the 40 ms budget).
// - fast:     the least depth measured (x4) at the largest beta keeping recall@10 >= 0.95 of
//             plaintext everywhere; its leakage is reported, not bounded (attack 0.993).
// - balanced: no (beta, depth) pair keeps recall >= 0.95 everywhere with the attack <= 0.90
//             everywhere (SIFT and MNIST need beta 4 to 6 for that; GloVe-100 at 340k rows loses
//             recall past beta 1.5). The nearest pair is beta 1.5 at x40: worst recall ratio 0.955
//             (GloVe-100, 340k rows), worst attack 0.965 (SIFT), 0.936 on GloVe-100, <= 0.937 on
//             the text sets; the old default (beta 1 at x10) leaked more (0.979) at about the same
//             recall (0.967).
// - private:  leakage first (a user picks it for that): the smallest beta whose best attack is
//             <= 0.85 on the text-embedding sets that reach it (GloVe-100 0.809, MiniLM-384 0.842,
//             BGE-768 0.848; OpenAI-1536, 88 rows, stays at 0.903), at the deepest depth within the
//             budget. Recall is 1.0 on the ~1,000-row text sets but 0.47 on 340k GloVe-100 words:
//             for modest collections of sentence embeddings; measure before using it on large ones.
export const PRESETS: Readonly<Record<PresetName, Preset>> = Object.freeze({
  fast: { name: 'fast', betaRel: 0.5, oversample: 4, summary: 'highest recall for the least re-rank work (x4); weakest against known-plaintext attacks' },
  balanced: {
    name: 'balanced',
    betaRel: 1.5,
    oversample: 40,
    summary: 'the default: recall@10 >= 0.95 of plaintext on every dataset measured (up to 340k rows) with re-rank x40; attacks with 1,000 known pairs reach mean cosine 0.94 to 0.97',
  },
  private: {
    name: 'private',
    betaRel: 3,
    oversample: 40,
    summary: 'attacks with 1,000 known pairs stay near mean cosine 0.85 on text embeddings; recall holds on collections of ~1,000 sentence embeddings, not on large dense ones',
  },
});

export const DEFAULT_PRESET: PresetName = 'balanced';

/**
 * The client-side floor on beta (relative to the data's scale): the smallest preset's. A
 * collection below it opens, and can be created, only when the caller lowers the floor
 * explicitly (`betaFloor`); the store can never lower it.
 */
export const BETA_FLOOR: number = Math.min(...Object.values(PRESETS).map((p) => p.betaRel));

export function isPresetName(p: unknown): p is PresetName {
  return p === 'fast' || p === 'balanced' || p === 'private';
}

/** The absolute beta for a preset and metric. `scale` is required for euclid (the data's median norm). */
export function betaForPreset(preset: PresetName, metric: Metric, scale?: number): number {
  if (!isPresetName(preset)) throw new TypeError(`"preset" expected 'fast' | 'balanced' | 'private', got ${String(preset)}`);
  const p = PRESETS[preset];
  if (metric === 'cosine') return p.betaRel;
  if (scale === undefined || !Number.isFinite(scale) || scale <= 0) {
    throw new RangeError(`"scale" expected a positive number for the ${metric} metric (the data's typical norm${metric === 'dot' ? ', i.e. maxNorm' : ''})`);
  }
  return p.betaRel * scale;
}

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

export const PRESETS: Readonly<Record<PresetName, Preset>> = Object.freeze({
  fast: { name: 'fast', betaRel: 0.5, oversample: 2, summary: 'highest recall without re-rank; weakest against known-plaintext attacks' },
  balanced: { name: 'balanced', betaRel: 1.0, oversample: 4, summary: 'the default: recall close to plaintext with re-rank, attacks measured in the report' },
  private: { name: 'private', betaRel: 2.0, oversample: 10, summary: 'strongest noise; needs re-rank with a large oversample for good recall' },
});

export const DEFAULT_PRESET: PresetName = 'balanced';

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

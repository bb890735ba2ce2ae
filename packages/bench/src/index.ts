/**
 * @sealvec/bench: recall of encrypted search versus plaintext, leakage under real attacks,
 * throughput; reports and SVG plots. The command is `benchMain` (bin: sealvec-bench).
 */
export { benchMain, parseArgs, UsageError, writeReport, type BenchArgs } from './main.js';
export { parseFvecs, parseIvecs, encodeFvecs, encodeIvecs, type IntRows } from './datasets/fvecs.js';
export { parseNpy, parseNpyHeader, encodeNpy } from './datasets/npy.js';
export { computeGroundTruth, type DatasetMetric, type GroundTruth } from './datasets/groundtruth.js';
export { loadDatasetDir, loadDatasetFile, readVectors, type Dataset } from './datasets/load.js';
export type { VectorSet } from './datasets/vectors.js';
export { recallAtK, recallGrid } from './recall/recall.js';
export { cosineStats, type CosineStats } from './attacks/cosine.js';
export { procrustesAttack, leastSquaresAttack } from './attacks/known-plaintext.js';
export { pcaAlignment, marginalMatching } from './attacks/known-sample.js';
export { wienerDenoise, neighbourDenoise } from './attacks/denoise.js';
export { choosePresets, judgeGoal } from './run/presets.js';
export { lineChart } from './plot/svg.js';

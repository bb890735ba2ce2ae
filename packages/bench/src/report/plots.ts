/**
 * The report's figures, as SVG strings keyed by file name: recall versus beta, attacker cosine
 * versus beta, the recall-versus-leakage frontier (all datasets, and per dataset by oversample),
 * and cipher throughput versus dimension.
 */
import { lineChart, PALETTE, type Series } from '../plot/svg.js';
import { bestAttack, bestKeyHolder, frontierOf, goalPairs } from '../run/frontier.js';
import { LEAKAGE_TARGET, RECALL_TARGET } from '../run/presets.js';
import type { DatasetResult } from '../run/results.js';

export interface ThroughputJson {
  readonly rows: readonly { dimension: number; encryptPerSec: number; decryptPerSec: number; queryPerSec: number; mixPerSec: number; densePerSec: number; prfPerSec: number; copyPerSec: number }[];
}

export function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

function recallAt(d: DatasetResult, beta: number, k: number, o: number): number {
  const r = d.recall?.find((x) => x.betaRel === beta);
  return r?.points.find((p) => p.k === k && p.oversample === o)?.recall ?? Number.NaN;
}

export function recallVsBeta(ds: readonly DatasetResult[]): string {
  const series: Series[] = [];
  ds.forEach((d, i) => {
    const color = PALETTE[i % PALETTE.length]!;
    const betas = (d.recall ?? []).map((r) => r.betaRel);
    series.push({ label: `${d.name} (re-rank x10)`, color, points: betas.map((b) => [b, recallAt(d, b, 10, 10)] as const) });
    series.push({ label: `${d.name} (no re-rank)`, color, dashed: true, points: betas.map((b) => [b, recallAt(d, b, 10, 1)] as const) });
  });
  return lineChart({
    title: 'Recall@10 of encrypted search versus beta',
    xLabel: 'beta (relative to the median vector norm)',
    yLabel: 'recall@10',
    series,
    yDomain: [0, 1],
    hLines: [{ y: RECALL_TARGET, label: `target ${RECALL_TARGET}` }],
    height: Math.max(460, 80 + series.length * 20),
  });
}

export function attackVsBeta(ds: readonly DatasetResult[]): string {
  const series: Series[] = [];
  ds.forEach((d, i) => {
    const color = PALETTE[i % PALETTE.length]!;
    const runs = (d.attacks?.runs ?? []).filter((r) => r.scheme === 'sealvec');
    const pairs = goalPairs(d);
    series.push({ label: `${d.name}: best, ${pairs} pairs`, color, points: runs.map((r) => [r.betaRel, bestAttack(r, pairs)?.stats.mean ?? Number.NaN] as const) });
    series.push({ label: `${d.name}: key holder`, color, dashed: true, points: runs.map((r) => [r.betaRel, bestKeyHolder(r)?.stats.mean ?? Number.NaN] as const) });
  });
  return lineChart({
    title: 'Attacker cosine versus beta (mean over target vectors)',
    xLabel: 'beta (relative to the median vector norm)',
    yLabel: 'mean cosine(estimate, plaintext)',
    series,
    yDomain: [0, 1],
    hLines: [{ y: LEAKAGE_TARGET, label: `text inversion practical >= ${LEAKAGE_TARGET}` }],
    height: Math.max(460, 80 + series.length * 20),
  });
}

export function frontierAll(ds: readonly DatasetResult[]): string {
  const series: Series[] = ds.map((d) => ({
    label: d.name,
    points: frontierOf(d).points.map((p) => [p.attackMean, p.recall10[10] ?? Number.NaN] as const),
  }));
  return lineChart({
    title: 'Recall versus leakage (each point is one beta; beta grows to the left)',
    xLabel: 'best attack with 1,000 known pairs: mean cosine (lower is more private)',
    yLabel: 'recall@10, re-rank oversample 10',
    series,
    xDomain: [0.4, 1],
    yDomain: [0, 1],
    region: { x0: 0, x1: LEAKAGE_TARGET, y0: RECALL_TARGET, y1: 1, label: 'goal' },
  });
}

export function frontierOne(d: DatasetResult, oversamples: readonly number[]): string {
  const f = frontierOf(d);
  const series: Series[] = oversamples.map((o) => ({
    label: o === 1 ? 'no re-rank' : `re-rank x${o}`,
    points: f.points.map((p) => [p.attackMean, p.recall10[o] ?? Number.NaN] as const),
  }));
  return lineChart({
    title: `${d.name}: recall@10 versus best attack, by re-rank oversample`,
    xLabel: `best attack with ${goalPairs(d)} known pairs: mean cosine`,
    yLabel: 'recall@10',
    series,
    yDomain: [0, 1],
    region: { x0: 0, x1: LEAKAGE_TARGET, y0: RECALL_TARGET, y1: 1, label: 'goal' },
  });
}

export function throughputVsDimension(t: ThroughputJson): string {
  const rows = [...t.rows].sort((a, b) => a.dimension - b.dimension);
  const pick = (label: string, f: (r: (typeof rows)[number]) => number, dashed = false): Series => ({
    label,
    dashed,
    points: rows.map((r) => [r.dimension, f(r)] as const),
  });
  const series = [
    pick('encrypt (record)', (r) => r.encryptPerSec),
    pick('decrypt (record)', (r) => r.decryptPerSec),
    pick('encrypt query', (r) => r.queryPerSec),
    pick('fast mix alone', (r) => r.mixPerSec),
    pick('dense rotation', (r) => r.densePerSec, true),
    pick('PRF stream', (r) => r.prfPerSec, true),
  ];
  const ys = series.flatMap((s) => s.points.map((p) => p[1])).filter((v) => v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...ys)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...ys)));
  return lineChart({
    title: 'Vector cipher throughput versus dimension (single thread)',
    xLabel: 'dimension d',
    yLabel: 'vectors per second (log scale)',
    series,
    logX: true,
    logY: true,
    xDomain: [rows[0]?.dimension ?? 1, rows[rows.length - 1]?.dimension ?? 2],
    xTicks: rows.map((r) => r.dimension),
    yDomain: [lo, hi],
  });
}

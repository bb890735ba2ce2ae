/**
 * The benchmark command: `pnpm bench [command] [options]` (and `sealvec bench`, which calls
 * `benchMain`). Commands:
 *
 *   all (default)  recall + attacks + scale + search + throughput + report
 *   recall         the recall sweep only (merged into results.json)
 *   attacks        the attack sweep, presets, baselines and averaging (merged into results.json)
 *   scale          the size and depth sweep, exact and HNSW candidates (merged into results.json)
 *   search         the client overhead of SealedCollection.search (search.json, search.md)
 *   throughput     the cipher throughput benchmark (packages/bench/src/throughput.ts)
 *   report         REPORT.md, ATTACKS.md, PRESETS.md and the SVG plots from the saved results
 *
 * Options: --quick (fixtures only, coarse grid: a smoke run), --config <file>, --out <dir>,
 * --only <dataset name> (repeatable), --dataset <.fvecs|.npy> (repeatable; runs only the named
 * files) with --queries <file>, --gt <file>, --metric l2|angular|ip.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PRESETS } from '@sealvec/core';
import { isDatasetMetric } from './datasets/groundtruth.js';
import { attacksMarkdown, reportMarkdown } from './report/markdown.js';
import { attackVsBeta, frontierAll, frontierOne, recallVsBeta, slug, type ThroughputJson, throughputVsDimension } from './report/plots.js';
import { type Log, decide, runBaselines, runScalePhase, runSweeps } from './run/bench.js';
import { type BenchConfig, type DatasetEntry, parseConfig, quickVariant } from './run/config.js';
import { goalDatasets } from './run/frontier.js';
import { presetsMarkdown, scaleMarkdown } from './report/scale-markdown.js';
import { depthFrontier, depthFrontierName, sizePlot, sizePlotName } from './report/scale-plots.js';
import { depthPoints } from './run/scale-frontier.js';
import { type BenchResults, mergeResults, RESULTS_VERSION } from './run/results.js';
import type { SearchResults } from './search-bench.js';

export const COMMANDS = ['all', 'recall', 'attacks', 'scale', 'search', 'throughput', 'report'] as const;
export type Command = (typeof COMMANDS)[number];

export interface BenchArgs {
  command: Command;
  quick: boolean;
  config?: string;
  out?: string;
  only: string[];
  datasets: string[];
  queries?: string;
  gt?: string;
  metric?: string;
}

export class UsageError extends Error {}

export function parseArgs(argv: readonly string[]): BenchArgs {
  const a: BenchArgs = { command: 'all', quick: false, only: [], datasets: [] };
  let i = 0;
  if (argv[0] !== undefined && !argv[0].startsWith('-')) {
    if (!(COMMANDS as readonly string[]).includes(argv[0])) throw new UsageError(`unknown command ${JSON.stringify(argv[0])}; expected one of ${COMMANDS.join(', ')}`);
    a.command = argv[0] as Command;
    i = 1;
  }
  const value = (flag: string): string => {
    const v = argv[++i];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  for (; i < argv.length; i++) {
    const f = argv[i]!;
    if (f === '--quick') a.quick = true;
    else if (f === '--config') a.config = value(f);
    else if (f === '--out') a.out = value(f);
    else if (f === '--only') a.only.push(value(f));
    else if (f === '--dataset') a.datasets.push(value(f));
    else if (f === '--queries') a.queries = value(f);
    else if (f === '--gt') a.gt = value(f);
    else if (f === '--metric') a.metric = value(f);
    else throw new UsageError(`unknown option ${JSON.stringify(f)}`);
  }
  if (a.metric !== undefined && !isDatasetMetric(a.metric)) throw new UsageError('--metric expected l2, angular or ip');
  if ((a.queries !== undefined || a.gt !== undefined) && a.datasets.length !== 1) {
    throw new UsageError('--queries and --gt apply to exactly one --dataset');
  }
  return a;
}

/** The repository root: this file is packages/bench/{src,dist}/main.*. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

function writeAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

function readJson<T>(path: string): T | undefined {
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

function effectiveConfig(args: BenchArgs, root: string): { cfg: BenchConfig; mode: BenchResults['mode'] } {
  const path = args.config ? resolve(args.config) : join(root, 'benchmarks', 'config.json');
  let cfg = parseConfig(JSON.parse(readFileSync(path, 'utf8')));
  let mode: BenchResults['mode'] = 'full';
  if (args.quick) {
    cfg = quickVariant(cfg);
    mode = 'quick';
  }
  if (args.datasets.length) {
    const user: DatasetEntry[] = args.datasets.map((p) => ({
      name: basename(p).replace(/\.(fvecs|npy)$/i, ''),
      family: basename(p),
      kind: 'user',
      modality: 'unknown',
      path: resolve(p),
      ...(args.metric !== undefined ? { metric: args.metric as 'l2' } : {}),
      ...(args.queries !== undefined ? { queries: resolve(args.queries) } : {}),
      ...(args.gt !== undefined ? { groundTruth: resolve(args.gt) } : {}),
    }));
    cfg = { ...cfg, datasets: user };
    mode = 'user';
  }
  if (args.only.length) cfg = { ...cfg, datasets: cfg.datasets.filter((d) => args.only.includes(d.name)) };
  return { cfg, mode };
}

function outDir(args: BenchArgs, root: string, mode: BenchResults['mode']): string {
  if (args.out) return resolve(args.out);
  const base = join(root, 'benchmarks', 'results');
  return mode === 'full' ? base : join(base, mode);
}

export async function benchMain(argv: readonly string[], log: Log = (s) => process.stderr.write(`${s}\n`)): Promise<void> {
  const args = parseArgs(argv);
  const root = REPO_ROOT;
  const { cfg, mode } = effectiveConfig(args, root);
  const out = outDir(args, root, mode);
  const resultsPath = join(out, 'results.json');
  const seconds: Record<string, number> = {};
  const timed = async <T>(name: string, f: () => T | Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const v = await f();
    seconds[name] = (performance.now() - t0) / 1000;
    return v;
  };

  const doRecall = args.command === 'all' || args.command === 'recall';
  const doAttacks = args.command === 'all' || args.command === 'attacks';
  const doScale = args.command === 'all' || args.command === 'scale';
  const environment = { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length };
  const skeleton = (): BenchResults => ({
    version: RESULTS_VERSION,
    generatedAt: new Date().toISOString(),
    mode,
    environment,
    seed: cfg.seed,
    datasets: [],
    skipped: [],
    corePresets: Object.values(PRESETS).map((p) => ({ name: p.name, betaRel: p.betaRel, oversample: p.oversample })),
    seconds,
  });
  if (doRecall || doAttacks) {
    log(`sealvec bench: ${mode} run, ${cfg.datasets.length} datasets, output ${out}`);
    const sweep = await timed(doRecall && doAttacks ? 'recall+attacks' : doRecall ? 'recall' : 'attacks', () =>
      runSweeps(cfg, root, { recall: doRecall, attacks: doAttacks }, log),
    );
    const fresh: BenchResults = { ...skeleton(), datasets: sweep.datasets, skipped: sweep.skipped };
    const results = mergeResults(readJson<BenchResults>(resultsPath), fresh);
    decide(results);
    if (doAttacks) {
      const fallback = PRESETS.balanced.betaRel;
      await timed('baselines', () => runBaselines(results, cfg, root, fallback, log));
    }
    results.seconds = { ...(results.seconds ?? {}), ...seconds };
    writeAtomic(resultsPath, `${JSON.stringify(results, null, 1)}\n`);
    log(`wrote ${resultsPath}`);
  }
  if (doScale) {
    log(`sealvec bench: size and depth sweep (${mode}), output ${out}`);
    const sweep = await timed('scale', () => runScalePhase(cfg, root, log));
    const prev = readJson<BenchResults>(resultsPath);
    const results: BenchResults = prev && prev.version === RESULTS_VERSION ? prev : skeleton();
    results.scale = { config: cfg.scale, runs: sweep.runs, skipped: sweep.skipped };
    results.generatedAt = new Date().toISOString();
    results.seconds = { ...(results.seconds ?? {}), ...seconds };
    writeAtomic(resultsPath, `${JSON.stringify(results, null, 1)}\n`);
    log(`wrote ${resultsPath}`);
  }
  if (args.command === 'all' || args.command === 'search') {
    await timed('search', async () => {
      const { measureSearch, fitCosts, FULL, QUICK, writeSearchResults } = await import('./search-bench.js');
      const opts = args.quick ? QUICK : FULL;
      log(`search bench: d = ${opts.dims.join(', ')}, candidates ${opts.candidates.join(', ')}`);
      const rows = await measureSearch(opts, log);
      writeSearchResults(
        { date: new Date().toISOString(), node: process.version, cpu: environment.cpu, loadAverage: loadavg()[0] ?? 0, mode: args.quick ? 'quick' : 'full', k: 10, payloadBytes: 1024, rows, fits: fitCosts(rows) },
        out,
      );
      log(`wrote ${join(out, 'search.md')}`);
    });
  }
  if (args.command === 'all' || args.command === 'throughput') {
    await timed('throughput', async () => {
      const { measureThroughput, writeThroughputResults } = await import('./throughput.js');
      const rows = measureThroughput(args.quick ? { quick: true, dimensions: [384, 768] } : {});
      writeThroughputResults(rows, out);
      log(`wrote ${join(out, 'throughput.md')}`);
    });
  }
  if (args.command !== 'throughput' && args.command !== 'search') writeReport(out, cfg, log);
}

export function writeReport(out: string, cfg: BenchConfig, log: Log): void {
  const results = readJson<BenchResults>(join(out, 'results.json'));
  if (!results) {
    log(`no results in ${out}; run the recall and attack benchmarks first`);
    return;
  }
  const search = readJson<SearchResults>(join(out, 'search.json'));
  // The presets compiled into this build of @sealvec/core, judged on the saved sweep (the report
  // is what justifies them, so it shows the ones the code now uses).
  results.corePresets = Object.values(PRESETS).map((p) => ({ name: p.name, betaRel: p.betaRel, oversample: p.oversample }));
  decide(results, search);
  // The presets as priced with the client cost now beside the results.
  writeAtomic(join(out, 'results.json'), `${JSON.stringify(results, null, 1)}\n`);
  const throughput = readJson<ThroughputJson>(join(out, 'throughput.json'));
  const throughputMd = existsSync(join(out, 'throughput.md')) ? readFileSync(join(out, 'throughput.md'), 'utf8') : undefined;
  const goal = goalDatasets(results.datasets);
  const files: Record<string, string> = {
    'recall-vs-beta.svg': recallVsBeta(goal),
    'attack-vs-beta.svg': attackVsBeta(goal),
    'frontier.svg': frontierAll(goal),
  };
  for (const d of goal) files[`frontier-${slug(d.name)}.svg`] = frontierOne(d, [...cfg.oversamples, ...cfg.extraOversamples]);
  const points = results.scale ? depthPoints(results.scale.runs, results.datasets) : [];
  for (const run of results.scale?.runs ?? []) {
    files[depthFrontierName(run)] = depthFrontier(run, points);
    for (const d of run.depths) files[sizePlotName(run, d)] = sizePlot(run, d, results.scale!.config.extrapolateTo);
  }
  if (throughput?.rows?.length) files['throughput-vs-dimension.svg'] = throughputVsDimension(throughput);
  for (const [name, svg] of Object.entries(files)) writeAtomic(join(out, name), svg);
  writeAtomic(
    join(out, 'REPORT.md'),
    reportMarkdown({
      results,
      ...(throughputMd !== undefined ? { throughputMd } : {}),
      hasThroughputPlot: files['throughput-vs-dimension.svg'] !== undefined,
      oversamples: cfg.oversamples,
      extraOversamples: cfg.extraOversamples,
    }),
  );
  writeAtomic(join(out, 'ATTACKS.md'), attacksMarkdown(results));
  if (results.scale) {
    writeAtomic(join(out, 'SCALE.md'), scaleMarkdown(results));
    writeAtomic(join(out, 'PRESETS.md'), presetsMarkdown(results, points));
  }
  log(`wrote ${join(out, 'REPORT.md')} and ${Object.keys(files).length} plots`);
}

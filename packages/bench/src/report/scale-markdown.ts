/**
 * The report's size-and-depth section, SCALE.md (every size, every point) and PRESETS.md (the
 * draft of the README / threat-model table: per preset, what a key holder and a thief with known
 * pairs can reconstruct). Every number comes from results.json.
 */
import { commonPairs, DEFAULT_LEAKAGE, type DepthPoint, type DepthPresetChoice, type PairSummary, RECALL_RATIO, summarizePair } from '../run/depth-presets.js';
import { costAt } from '../search-bench.js';
import { backtest, extrapolate } from '../run/extrapolate.js';
import type { BenchResults } from '../run/results.js';
import type { ScaleRun } from '../run/run-scale.js';
import { attackSourceFor, depthPoints, plainRecall, recallAt } from '../run/scale-frontier.js';
import { depthFrontierName, sizePlotName } from './scale-plots.js';

/** The backtest fits on sizes up to this, as the text sets allow. */
const BACKTEST_FIT_MAX = 1000;

const f3 = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(3));
const ms = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? 'not measured' : `${v.toFixed(1)} ms`);
const pct = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? 'n/a' : `${Math.round(v * 100)}%`);
const rows = (n: number) => n.toLocaleString('en-US');

function table(head: string[], body: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? ':---' : '---:')).join('|')}|`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function pairCells(p: PairSummary | undefined): string[] {
  if (!p) return ['-', '-', '-', '-', '-', '-', '-'];
  return [
    String(p.betaRel),
    `x${p.depth}`,
    ms(p.costMs),
    f3(p.worstRatioExact),
    p.worstRatioHnsw !== undefined ? f3(p.worstRatioHnsw) : 'n/a',
    f3(p.worstAttack),
    f3(p.worstKeyHolder),
  ];
}

function presetTable(choices: readonly DepthPresetChoice[], k: number, budgetDimension: number): string[] {
  return [
    table(
      ['preset', 'beta (relative)', 'depth', `client overhead (p50, d = ${budgetDimension})`, 'worst recall ratio, exact', 'worst recall ratio, HNSW', 'worst best attack, 1,000 pairs', 'worst key holder', 'goal met'],
      choices.map((c) => [`**${c.name}**`, ...pairCells(c.pair ?? c.nearest), c.met ? 'yes' : c.leakageFirst ? '**no**: leakage first, recall not required' : c.nearest ? '**no** (nearest pair shown)' : '**no**']),
    ),
    '',
    `Depth xm means k x m candidates re-ranked (k = ${k}). Recall ratio = recall@10 with re-rank over plaintext recall@10 with the same candidate search (exact plaintext search: 1; HNSW: plain Qdrant's own HNSW top-10, no re-rank), on every dataset at its largest size; an HNSW ratio above 1 means the deeper, re-ranked encrypted search found more true neighbours than plain Qdrant's top-10. Attacks are mean cosine between the estimate and the true vector.`,
    '',
  ];
}

/** The section of REPORT.md. */
export function scaleSection(r: BenchResults): string[] {
  const sc = r.scale;
  const out = ['## Headline: presets as (beta, candidate depth), measured at scale', ''];
  if (!sc?.runs.length) {
    out.push('The size and depth sweep did not run (`pnpm bench scale`).', '');
    return out;
  }
  const k = sc.config.k;
  out.push(
    `Recall@${k} of encrypted search with exact re-rank, measured on nested random subsets of each dataset (the collection growing), for betas ${sc.config.betas.join(', ')} and re-rank depths ${sc.config.depths.map((d) => `x${d}`).join(', ')} (${sc.config.depths.map((d) => d * k).join(', ')} candidates), with the candidates found by exact search over the ciphertexts and by HNSW (hnswlib, m = 16, ef_construct = 100, search ef = max(candidates, 100): Qdrant's defaults). Each beta encrypts the whole base once; every size takes its rows from that encryption. The attacks at each beta are the attack sweep's (their 2,000-row pool does not depend on the collection size). Every size, every point: [SCALE.md](SCALE.md); the preset table for the README: [PRESETS.md](PRESETS.md).`,
    '',
  );
  const hnswOff = sc.runs.find((x) => !x.hnsw.used);
  if (hnswOff) out.push(`HNSW candidate search did not run: ${hnswOff.hnsw.reason ?? 'unknown reason'}.`, '');
  out.push('### Presets from the sweep', '');
  if (r.depthPresets?.length) {
    out.push(...presetTable(r.depthPresets, k, sc.config.budgetDimension));
    for (const c of r.depthPresets) {
      out.push(`**${c.name}**${c.leakageTarget !== undefined ? ` (leakage target ${c.leakageTarget}, judged on ${c.judgedOn.join(', ')})` : ''}:`, '', ...c.reasoning.map((x) => `- ${x}`), '');
    }
    if (r.clientCost) {
      out.push(`Client cost per depth from \`search.json\` (${r.clientCost.source} mode, ${r.clientCost.date}): ${r.clientCost.fits.map((f) => `d = ${f.dimension}: ${f.interceptMs.toFixed(1)} ms + ${f.msPerCandidate.toFixed(3)} ms per candidate`).join('; ')}.`, '');
    } else {
      out.push('No client-cost measurements (`pnpm bench:search`) were found beside the results, so the budget could not be applied.', '');
    }
  } else {
    out.push('No dataset had both size-sweep and attack results, so no preset could be chosen.', '');
  }
  if (r.corePresets?.length) {
    const points = depthPoints(sc.runs, r.datasets);
    const opts = { privateLeakage: sc.config.privateTarget, budgetMs: sc.config.budgetMs, budgetDimension: sc.config.budgetDimension, cost: (d: number) => costAt(r.clientCost?.fits ?? [], sc.config.budgetDimension, k * d) };
    const grid = commonPairs(points);
    out.push(
      '### The presets compiled into @sealvec/core when this report was written, on the sweep',
      '',
      table(
        ['preset', 'beta (relative)', 'depth', `client overhead (p50, d = ${sc.config.budgetDimension})`, 'worst recall ratio, exact', 'worst recall ratio, HNSW', 'worst best attack, 1,000 pairs', 'worst key holder', 'on the grid'],
        r.corePresets.map((p) => {
          const onGrid = grid.some((g) => g.betaRel === p.betaRel && g.depth === p.oversample);
          const s = onGrid ? summarizePair(points, p.betaRel, p.oversample, () => true, DEFAULT_LEAKAGE, RECALL_RATIO, opts) : undefined;
          return [p.name, ...(s ? pairCells(s) : [String(p.betaRel), `x${p.oversample}`, '-', '-', '-', '-', '-']), onGrid ? 'yes' : 'no: add its beta and depth to scale.betas / scale.depths'];
        }),
      ),
      '',
    );
  }
  if (r.depthGoal?.length) {
    out.push('### Can any (beta, depth) meet the default goal on each dataset alone?', '');
    out.push(
      table(
        ['dataset', 'rows', 'met', 'best pair: beta', 'depth', 'recall ratio (exact)', 'recall ratio (HNSW)', 'best attack'],
        r.depthGoal.map((g) => [
          g.dataset,
          rows(g.best?.size ?? 0),
          g.met ? 'yes' : '**no**',
          g.best ? String(g.best.betaRel) : '-',
          g.best ? `x${g.best.depth}` : '-',
          f3(g.best?.ratio.exact),
          f3(g.best?.ratio.hnsw),
          g.best ? `${f3(g.best.attackMean)} (${g.best.attackName})` : '-',
        ]),
      ),
      '',
      'Where "met" is no, the pair shown is the nearest one (smallest total shortfall in recall ratio and attack cosine).',
      '',
    );
  }
  for (const run of sc.runs) out.push(...runSection(r, run));
  out.push(...extrapolationSection(r));
  if (sc.skipped.length) out.push('Skipped in the sweep:', '', ...sc.skipped.map((s) => `- ${s.name}: ${s.reason}`), '');
  return out;
}

function runSection(r: BenchResults, run: ScaleRun): string[] {
  const out = [`### ${run.name}: ${rows(run.fullRows)} rows x ${run.dim}, ${run.queries} queries`, ''];
  const src = attackSourceFor(run, r.datasets);
  const small = run.fullRows <= run.k * Math.max(...run.depths);
  if (small) {
    out.push(`With ${rows(run.fullRows)} rows, a re-rank of x${Math.max(...run.depths)} already sees the whole collection, and x10 sees ${run.k * 10 >= run.fullRows ? 'all' : pct((run.k * 10) / run.fullRows)} of it: this set is too small to show how recall falls with size. Its curves are extrapolated below, with the method and its backtest.`, '');
  }
  const searches = run.hnsw.used && run.hnsw.maxRows === undefined ? (['exact', 'hnsw'] as const) : (['exact'] as const);
  const plainH = plainRecall(run, 'hnsw');
  if (run.hnsw.maxRows !== undefined) {
    out.push(`HNSW candidates were measured up to ${rows(run.hnsw.maxRows)} rows (\`scale.hnswMaxRows\`; index builds dominate the sweep's time), so at ${rows(run.fullRows)} rows this dataset is judged on exact candidates; the HNSW curves are in SCALE.md and the size plots.`, '');
  }
  out.push(
    `Recall@${run.k} at ${rows(run.fullRows)} rows${searches.length > 1 ? ` (exact / HNSW candidates; plaintext HNSW top-${run.k} recall ${f3(plainH)})` : ''}; attacks from ${src?.name ?? 'no attack run'}:`,
    '',
    table(
      ['beta', ...run.depths.map((d) => `x${d}`), 'best attack, 1,000 pairs', 'key holder'],
      run.betas.map((b) => {
        const atk = src?.attacks?.runs.find((x) => x.scheme === 'sealvec' && x.betaRel === b);
        let best: number | undefined;
        let kh: number | undefined;
        for (const a of atk?.results ?? []) {
          if (a.family === 'key-holder') kh = Math.max(kh ?? -Infinity, a.stats.mean);
          else if (a.knownPairs <= 1000) best = Math.max(best ?? -Infinity, a.stats.mean);
        }
        return [String(b), ...run.depths.map((d) => searches.map((s) => f3(recallAt(run, b, d, s))).join(' / ')), f3(best), f3(kh)];
      }),
    ),
    '',
    `![${run.name}: recall versus leakage by depth](${depthFrontierName(run)})`,
    '',
    ...run.depths.map((d) => `![${run.name}: recall@${run.k} versus size at x${d}](${sizePlotName(run, d)})`),
    '',
  );
  return out;
}

function extrapolationSection(r: BenchResults): string[] {
  const sc = r.scale!;
  const out = ['### Extrapolating the small sets', ''];
  out.push(
    'Model (depth-size equivalence): a true neighbour is lost when more rows than there are candidates overtake it in the noisy order, and the number that can grows with the collection as rows^alpha, so recall with c candidates among n\' rows equals recall with c (n / n\')^alpha candidates among the n rows measured. Recall is measured at every size on a fine grid of candidate counts (prefixes of one candidate list) and interpolated in log(candidates); alpha is estimated from the dataset\'s own sizes (for sizes n1 < n2, the count at n1 that gives the recall measured at n2 with c2 candidates), median over every usable match. The backtest estimates alpha and predicts from sizes <= 1,000 only, as the text sets allow, and compares with what was measured at the larger sizes: it is the error bar to put on the extrapolated figures, which are indicative only. The presets are chosen from measured points.',
    '',
  );
  // Only sets measured at least ten times past the fitting range make a backtest worth the name.
  const bts = sc.runs
    .filter((run) => run.fullRows >= 10 * BACKTEST_FIT_MAX)
    .map((run) => ({ run, bt: backtest(run, BACKTEST_FIT_MAX) }))
    .filter((x) => x.bt.rows.length > 0);
  if (bts.length) {
    out.push(
      table(
        ['dataset', 'alpha from sizes <= 1,000 (matches)', 'alpha from all sizes', 'predictions', 'mean |error|', 'largest |error|', 'mean error (predicted - measured)'],
        bts.map(({ run, bt }) => {
          const err = bt.rows.map((b) => b.predicted - b.measured);
          const abs = err.map(Math.abs);
          return [
            run.name,
            `${f3(bt.alpha)} (${bt.samples ?? 0})`,
            f3(extrapolate(run, []).find((e) => e.alpha !== undefined)?.alpha),
            String(bt.rows.length),
            f3(abs.reduce((a, b) => a + b, 0) / Math.max(1, abs.length)),
            f3(Math.max(...abs, 0)),
            f3(err.reduce((a, b) => a + b, 0) / Math.max(1, err.length)),
          ];
        }),
      ),
      '',
    );
  } else {
    out.push('No set was measured at 10,000 rows or more, so the method could not be backtested in this run.', '');
  }
  const targets = sc.config.extrapolateTo;
  for (const run of sc.runs) {
    const ex = extrapolate(run, targets).filter((e) => e.predicted.length > 0);
    if (!ex.length) {
      if (run.fullRows < Math.max(...targets)) out.push(`- ${run.name}: too few informative sizes (recall strictly between 0.05 and 0.995 at two sizes) to estimate alpha; not extrapolated.`, '');
      continue;
    }
    out.push(
      `${run.name} (measured up to ${rows(run.fullRows)} rows, alpha = ${f3(ex[0]!.alpha)} from ${ex[0]!.samples ?? 0} matches${(ex[0]!.samples ?? 0) < 10 ? '; few matches, so alpha is poorly determined' : ''}), exact candidates:`,
      '',
      table(
        ['beta', 'depth', `measured at ${rows(run.fullRows)}`, ...targets.filter((t) => t > run.fullRows).map((t) => `predicted at ${rows(t)}`)],
        ex.map((e) => [String(e.betaRel), `x${e.depth}`, f3(e.measured), ...e.predicted.map((p) => f3(p.recall))]),
      ),
      '',
    );
  }
  return out;
}

/** SCALE.md: every measured point. */
export function scaleMarkdown(r: BenchResults): string {
  const sc = r.scale;
  const lines = ['# Size and depth sweep: every point', '', `From results.json (${r.generatedAt}, ${r.mode} mode). recall@k of encrypted search with exact re-rank of k x depth candidates; "plain" is plaintext search with the same candidate search (exact: 1).`, ''];
  for (const run of sc?.runs ?? []) {
    lines.push(`## ${run.name}`, '', `HNSW: ${run.hnsw.used ? `m ${run.hnsw.m}, ef_construct ${run.hnsw.efConstruct}, builds ${run.hnsw.buildSeconds.toFixed(0)} s` : `not run (${run.hnsw.reason ?? ''})`}; whole sweep ${run.seconds.toFixed(0)} s.`, '');
    const searches = run.hnsw.used ? (['exact', 'hnsw'] as const) : (['exact'] as const);
    for (const s of searches) {
      lines.push(
        `### ${s === 'exact' ? 'Exact' : 'HNSW'} candidates`,
        '',
        table(
          ['beta', 'depth', ...run.sizes.map((n) => rows(n))],
          [
            ['plain', '-', ...run.sizes.map((n) => f3(plainRecall(run, s, n)))],
            ...run.betas.flatMap((b) => run.depths.map((d) => [String(b), `x${d}`, ...run.sizes.map((n) => f3(recallAt(run, b, d, s, n)))])),
          ],
        ),
        '',
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

function worstOn(points: readonly DepthPoint[], pair: PairSummary, textOnly: boolean, f: (p: DepthPoint) => number | undefined): { value: number; dataset: string } | undefined {
  let best: { value: number; dataset: string } | undefined;
  for (const p of points) {
    if (p.betaRel !== pair.betaRel || p.depth !== pair.depth || (textOnly && !p.textual)) continue;
    const v = f(p);
    if (v !== undefined && (!best || v > best.value)) best = { value: v, dataset: p.dataset };
  }
  return best;
}

/** PRESETS.md: the draft table for the README and the threat model. */
export function presetsMarkdown(r: BenchResults, points: readonly DepthPoint[]): string {
  const lines = [
    '# What each preset leaks (draft for the README and docs/threat-model.md)',
    '',
    `Generated from results.json (${r.generatedAt}, ${r.mode} mode${r.mode === 'quick' ? ': fixtures only, NOT a measurement to publish' : ''}). Figures are mean cosine between an attacker's estimate and the true vector (0.90 and above is where inverting a text embedding back to text becomes practical), worst dataset in brackets; "share >= 0.90" is the share of vectors the attacker gets to at least 0.90.`,
    '',
    '- **Key holder**: anyone who can encrypt queries (the searcher, the application server). It inverts the mix and scale exactly, so it sees every stored vector plus its noise, then denoises.',
    '- **Thief with 1,000 known pairs**: holds the stolen database and 1,000 (plaintext, ciphertext) pairs, and runs every attack in the benchmark (Procrustes, least squares, the structured attack, denoising by subspace and by neighbours).',
    '',
  ];
  const presets = r.depthPresets ?? [];
  if (!presets.length) {
    lines.push('No presets were chosen in this run.', '');
    return `${lines.join('\n')}\n`;
  }
  const cell = (x: { value: number; dataset: string } | undefined) => (x ? `${f3(x.value)} (${x.dataset})` : 'n/a');
  lines.push(
    table(
      ['preset', 'beta, depth', 'recall@10 vs plaintext (worst)', 'key holder: text embeddings', 'key holder: all data', 'thief, 1,000 pairs: text embeddings', 'thief, 1,000 pairs: all data', 'thief: share >= 0.90 (text)'],
      presets.map((c) => {
        const p = c.pair ?? c.nearest;
        if (!p) return [c.name, 'none', '-', '-', '-', '-', '-', '-'];
        return [
          `${c.name}${c.met ? '' : c.leakageFirst ? ' (goal not met; leakage first)' : ' (goal not met; nearest pair)'}`,
          `${p.betaRel}, x${p.depth}`,
          f3(p.worstRatio),
          cell(worstOn(points, p, true, (q) => q.keyHolderMean)),
          cell(worstOn(points, p, false, (q) => q.keyHolderMean)),
          cell(worstOn(points, p, true, (q) => q.attackMean)),
          cell(worstOn(points, p, false, (q) => q.attackMean)),
          pct(worstOn(points, p, true, (q) => q.attackShare)?.value),
        ];
      }),
    ),
    '',
    `Recall target: ${RECALL_RATIO} of plaintext. The reasoning behind each pair is in REPORT.md, "Presets from the sweep".`,
    '',
  );
  return `${lines.join('\n')}\n`;
}

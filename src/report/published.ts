// The published MNIST figure each rule's report row is held against: the paper's own number where it gives
// one, with its network, so a reader sees whether bioprop beats, matches or misses it — and where a paper
// gives none, why. Browser-safe.
//
// Test error in the papers becomes accuracy (100 − error). `checked: false` marks a figure taken from a
// secondary account of the paper rather than read in its table: it is shown, and said to be unchecked.
import type { AnswerRow, Stat } from './model.js';
import type { Mode } from './config.js';

export interface PublishedFigure {
  /** MNIST test accuracy (%), as published. */
  accuracy: number;
  /** The paper's network, in bioprop's notation. */
  network: string;
  /** A fully connected network like bioprop's; a convolutional figure is shown but not judged. */
  mlp: boolean;
  /** The figure is for the rule on spiking neurons (compared with bioprop's spiking cell). */
  spiking: boolean;
  /** Author, year, venue, and where in the paper. */
  source: string;
  /** Read in the paper's table or figure (true), or from a secondary account of it (false). */
  checked: boolean;
}

export interface NoFigure {
  /** Why there is no published MNIST figure to compare with. */
  none: string;
}

export const PUBLISHED: Readonly<Record<string, PublishedFigure | NoFigure>> = {
  bp: { accuracy: 97.84, network: '784-240x7-10 tanh', mlp: true, spiking: false, source: 'Nøkland 2016, NIPS, Table 1 (backprop baseline)', checked: false },
  fa: { accuracy: 97.9, network: '784-1000-10 sigmoid', mlp: true, spiking: false, source: 'Lillicrap et al. 2016, Nat. Commun. 7:13276, Fig. 2', checked: false },
  mirror: { none: 'Akrout et al. 2019 report ImageNet (ResNet-18 and ResNet-50 top-1 and top-5 errors), not MNIST' },
  sign: { accuracy: 99.09, network: 'LeNet-5 (conv), brSF', mlp: false, spiking: false, source: 'Sanfiz & Akrout 2021, arXiv:2108.13446, MNIST table', checked: true },
  dfa: { accuracy: 97.68, network: '784-240x7-10 tanh', mlp: true, spiking: false, source: 'Nøkland 2016, NIPS, Table 1', checked: false },
  synthgrad: { accuracy: 98.1, network: '784-256x3-10 ReLU, every layer decoupled (DNI)', mlp: true, spiking: false, source: 'Jaderberg et al. 2017, ICML (MNIST fully connected results)', checked: false },
  chl: { none: "Movellan 1991 and O'Reilly 1996 report small benchmark tasks, not MNIST" },
  eqprop: { accuracy: 97.8, network: '784-500-10 hard sigmoid', mlp: true, spiking: false, source: 'Scellier & Bengio 2017, Front. Comput. Neurosci. 11:24 (MNIST, one hidden layer)', checked: false },
  generec: { none: "O'Reilly 1996 reports small benchmark tasks (epochs to criterion), not MNIST" },
  dtp: { accuracy: 98.06, network: '784-240x7-10 tanh', mlp: true, spiking: false, source: 'Lee, Zhang, Fischer & Bengio 2015, ECML-PKDD (MNIST results)', checked: false },
  'dtp-inference': { none: 'Bengio et al. 2015 and 2017 give no MNIST classification figure for the iterative-inference rule' },
  gaitprop: { none: 'Ahmad, van Gerven & Ambrogioni 2020 report accuracy near backprop in figures; no table figure was checked' },
  kickback: { none: 'Balduzzi, Vanchinathan & Buhmann 2015 report regression tasks only' },
  superspike: { none: 'Zenke & Ganguli 2018 report spike-timing tasks, not MNIST' },
  erbp: { accuracy: 98.0, network: '784-(100 to 500)x(1 or 2)-10 spiking (I&F, event-driven)', mlp: true, spiking: true, source: 'Neftci, Augustine, Paul & Detorakis 2017, Front. Neurosci. 11:324 (best MNIST result)', checked: false },
  nef: { accuracy: 99.12, network: 'conv net, spiking LIF at inference', mlp: false, spiking: true, source: "Hunsberger 2018, PhD thesis (Waterloo), MNIST table", checked: true },
  dendrites: { accuracy: 96.8, network: '784-500-100-10 three-compartment, spiking', mlp: true, spiking: true, source: 'Guerguiev, Lillicrap & Richards 2017, eLife 6:e22901, Fig. 5', checked: false },
  twosite: { none: 'Körding & König 2001 report XOR and a coherence task, not MNIST' },
  agrel: { none: 'Roelfsema & van Ooyen 2005 report small categorisation tasks, not MNIST' },
  qagrel: { accuracy: 99.31, network: 'conv net (BrainProp)', mlp: false, spiking: false, source: 'Pozzi, Bohté & Roelfsema 2020, NeurIPS (BrainProp), MNIST conv', checked: true },
};

/**
 * Two MNIST test accuracies within this many points are a match: twice the binomial standard error of an
 * accuracy near 98% measured on the 10 000 test images (100·√(0.98·0.02/10 000) ≈ 0.14).
 */
export const MATCH_POINTS = 0.3;

export type Verdict = 'beats' | 'matches' | 'misses' | 'not comparable' | 'no figure' | 'not run';

/** bioprop's cell (mean over seeds, as a fraction) against the published figure. */
export function verdict(fig: PublishedFigure | NoFigure | undefined, ours: Stat | undefined): Verdict {
  if (!fig || 'none' in fig) return 'no figure';
  if (!fig.mlp) return 'not comparable';
  if (!ours || !(ours.n > 0) || !Number.isFinite(ours.mean)) return 'not run';
  const d = 100 * ours.mean - fig.accuracy;
  return d > MATCH_POINTS ? 'beats' : d < -MATCH_POINTS ? 'misses' : 'matches';
}

/** One rule's line of the report's comparison with its published figure. */
export interface PublishedRow {
  rule: string;
  figure: PublishedFigure | NoFigure | null;
  /** The bioprop cell it is held against: MNIST at the reference depth, in the figure's form. */
  mode: Mode;
  ours: Stat | null;
  verdict: Verdict;
  /** Runs of that cell not verified on the build that made the report (AccuracyCell.unverified). */
  unverified?: number;
}

/** The comparison for every rule of the answer table, in its order. */
export function publishedRows(answer: readonly AnswerRow[]): PublishedRow[] {
  return answer.map((r) => {
    const figure = PUBLISHED[r.rule] ?? null;
    const mode: Mode = figure && 'spiking' in figure && figure.spiking ? 'spiking' : r.accuracy.mnist?.rate ? 'rate' : 'spiking';
    const ours = r.accuracy.mnist?.[mode]?.stat ?? null, unverified = r.accuracy.mnist?.[mode]?.unverified;
    return { rule: r.rule, figure, mode, ours, verdict: verdict(figure ?? undefined, ours ?? undefined), ...(unverified ? { unverified } : {}) };
  });
}

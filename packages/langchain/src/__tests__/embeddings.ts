/**
 * LangChain Embeddings over the fixtures' precomputed vectors: the OpenAI fixture's chunks
 * (text-embedding-3-small, 1536-d) and the GloVe fixture's words (100-d). No network; a text the
 * fixture lacks throws. Counts calls so tests can check what was embedded.
 */
import { Embeddings } from '@langchain/core/embeddings';
import { lookupEmbedding, lookupWord } from '@sealvec/testkit';

export class FixtureEmbeddings extends Embeddings {
  calls = 0;
  constructor(private readonly lookup: (text: string) => number[] = lookupEmbedding) {
    super({});
  }
  async embedDocuments(texts: string[]): Promise<number[][]> {
    this.calls++;
    return texts.map((t) => this.lookup(t));
  }
  async embedQuery(text: string): Promise<number[]> {
    this.calls++;
    return this.lookup(text);
  }
}

/** 100-d word vectors: a model of another dimension. */
export const wordEmbeddings = () => new FixtureEmbeddings(lookupWord);

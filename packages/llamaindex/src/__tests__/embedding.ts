/**
 * A LlamaIndex embedding model over the OpenAI fixture's precomputed vectors
 * (text-embedding-3-small), looked up by text: no network; a text the fixture lacks throws.
 */
import { BaseEmbedding } from '@llamaindex/core/embeddings';
import { lookupEmbedding } from '@sealvec/testkit';

export class FixtureEmbedding extends BaseEmbedding {
  constructor() {
    super();
  }
  async getTextEmbedding(text: string): Promise<number[]> {
    return lookupEmbedding(text);
  }
}

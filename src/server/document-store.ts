import type { DocumentNode } from 'graphql';

/**
 * Apollo Server's cache of parsed and validated documents, bounded by the total length of their
 * source text. Apollo's default (an LRU of 30 MiB measured as the documents' JSON) holds several
 * times that in heap, since a parsed document keeps its whole token list through `loc`: in the soak,
 * where almost every document is distinct, the subgraph's heap grew by ~10 KB a request until that
 * bound (a few hundred MB). Routers send few distinct operations, so a small cache keeps its hit
 * rate; a document that misses is parsed and validated again, well under a millisecond.
 * Heap per cached source character measured at ~45 bytes: the default bound of 512 Ki characters
 * holds ~25 MB.
 */
export class BoundedDocumentStore {
  private readonly entries = new Map<string, { document: DocumentNode; size: number }>();
  private totalSize = 0;

  constructor(private readonly maxSourceCharacters = 512 * 1024) {}

  async get(key: string): Promise<DocumentNode | undefined> {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    // Most recently used last: Map iteration order is insertion order.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.document;
  }

  async set(key: string, document: DocumentNode): Promise<void> {
    const size = document.loc?.source.body.length ?? 1;
    if (size > this.maxSourceCharacters) return;
    await this.delete(key);
    this.entries.set(key, { document, size });
    this.totalSize += size;
    for (const [oldestKey, oldest] of this.entries) {
      if (this.totalSize <= this.maxSourceCharacters) break;
      this.entries.delete(oldestKey);
      this.totalSize -= oldest.size;
    }
  }

  async delete(key: string): Promise<boolean> {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.entries.delete(key);
    this.totalSize -= entry.size;
    return true;
  }

  /** Number of cached documents and their total source length (for tests). */
  get stats(): { documents: number; sourceCharacters: number } {
    return { documents: this.entries.size, sourceCharacters: this.totalSize };
  }
}

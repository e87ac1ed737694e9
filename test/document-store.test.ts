import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { BoundedDocumentStore } from '../src/server/document-store.js';

describe('BoundedDocumentStore', () => {
  it('evicts the least recently used documents once their total source length passes the bound', async () => {
    const store = new BoundedDocumentStore(100);
    const document = (name: string) => parse(`{ ${name.padEnd(36, 'x')} }`); // 40 characters each
    await store.set('a', document('a'));
    await store.set('b', document('b'));
    expect(await store.get('a')).toBeDefined(); // a is now more recent than b
    await store.set('c', document('c'));
    expect(store.stats).toEqual({ documents: 2, sourceCharacters: 80 });
    expect(await store.get('b')).toBeUndefined();
    expect(await store.get('a')).toBeDefined();
    expect(await store.get('c')).toBeDefined();
  });

  it('never holds a document larger than the bound, and replaces a key without double counting', async () => {
    const store = new BoundedDocumentStore(100);
    await store.set('huge', parse(`{ ${'x'.repeat(200)} }`));
    expect(store.stats.documents).toBe(0);
    await store.set('k', parse('{ a }'));
    await store.set('k', parse('{ abc }'));
    expect(store.stats).toEqual({ documents: 1, sourceCharacters: 7 });
    expect(await store.delete('k')).toBe(true);
    expect(store.stats).toEqual({ documents: 0, sourceCharacters: 0 });
  });

  it('thousands of distinct documents stay within the bound', async () => {
    const store = new BoundedDocumentStore(10_000);
    for (let index = 0; index < 5_000; index += 1) await store.set(`k${index}`, parse(`{ a${index}: __typename }`));
    expect(store.stats.sourceCharacters).toBeLessThanOrEqual(10_000);
    expect(await store.get('k4999')).toBeDefined();
    expect(await store.get('k0')).toBeUndefined();
  });
});

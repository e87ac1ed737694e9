import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseTargets } from '../src/config/targets.js';
import { READ, SECRETS, type Stack, mintToken, startStack } from './support/stack.js';

/**
 * The README's examples return what it shows: each ```graphql block runs as each caller named on
 * the ```json blocks after it (`reader`, `secrets-reader`), against the demo's seed data, and the
 * answer must equal the JSON shown, errors included.
 */
interface Example {
  query: string;
  answers: Array<{ callers: string[]; body: unknown }>;
}

function readmeExamples(): Example[] {
  const examples: Example[] = [];
  for (const match of readFileSync('README.md', 'utf8').matchAll(/```(graphql|json)([^\n]*)\n([\s\S]*?)```/g)) {
    const [, language, info, text] = match;
    if (language === 'graphql') examples.push({ query: text!, answers: [] });
    else if (info!.trim() !== '') examples.at(-1)!.answers.push({ callers: info!.trim().split(/\s+/), body: JSON.parse(text!) });
  }
  return examples;
}

const examples = readmeExamples();
let stack: Stack;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  stack = await startStack();
  tokens['reader'] = await mintToken([READ]);
  tokens['secrets-reader'] = await mintToken([READ, SECRETS]);
});
afterAll(() => stack?.close());

describe('README examples', () => {
  it('there is one for each root field, each with the answer of every caller it names', () => {
    const queries = examples.map((example) => example.query).join('\n');
    for (const field of ['quickSightActionConnector(', 'dataZoneConnection(', 'quickSightActionConnectors(', 'dataZoneConnections(']) expect(queries).toContain(field);
    for (const example of examples) {
      expect(example.answers.length).toBeGreaterThan(0);
      expect(example.answers.flatMap((answer) => answer.callers).sort()).toEqual(['reader', 'secrets-reader']);
    }
  });

  for (const [index, example] of examples.entries()) {
    const name = /query (\w+)/.exec(example.query)?.[1] ?? `#${index + 1}`;
    for (const answer of example.answers) {
      for (const caller of answer.callers) {
        it(`${name} - as the ${caller}, answers what the README shows`, async () => {
          const response = await stack.graphql(example.query, { token: tokens[caller] });
          expect(response.body).toEqual(answer.body);
        });
      }
    }
  }
});

describe('README targets file', () => {
  it('AWS_TARGETS_FILE - the example the README shows is a valid targets file, read as the subgraph reads it', () => {
    const readme = readFileSync('README.md', 'utf8');
    const yaml = /```yaml\n(quickSight:[\s\S]*?)```/.exec(readme)?.[1];
    expect(yaml).toBeDefined();
    const targets = parseTargets(parseYaml(yaml as string));
    expect([...targets.quickSightAccounts.keys()]).toEqual(['111122223333', '444455556666']);
    expect(targets.quickSightAccounts.get('444455556666')).toMatchObject({ region: 'eu-west-1', roleArn: 'arn:aws:iam::444455556666:role/ConnectionsRead' });
    expect(targets.dataZoneDomains.get('dzd_europe0001')).toMatchObject({ region: 'eu-west-1', accountId: '444455556666' });
  });
});

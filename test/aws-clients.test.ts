import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';

/** What test/support/client-config-probe.ts reports after a real call with each client. */
const configLayout = (...args: string[]) =>
  JSON.parse(
    execFileSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', 'test/support/client-config-probe.ts', ...args], {
      encoding: 'utf8',
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
    }),
  ) as { datazone: boolean; quicksight: boolean };

describe("the AWS clients' resolved config (src/aws/clients.ts, fastConfig)", () => {
  test('has fast properties, still after calls: the four copies of it every call makes stay cheap', { timeout: 60_000 }, () => {
    expect(configLayout()).toEqual({ datazone: true, quicksight: true });
  });

  test('the SDK as shipped leaves it in dictionary mode (if this fails, the SDK fixed it and the workaround can go)', { timeout: 60_000 }, () => {
    expect(configLayout('nofast')).toEqual({ datazone: false, quicksight: false });
  });
});

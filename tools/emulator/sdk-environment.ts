import { DEMO_REGION } from './seed.js';

/**
 * What an AWS SDK application needs to talk to the emulator: the SDK's standard per-service
 * endpoint overrides, a region, and dummy credentials (the emulator checks no signatures).
 */
export function emulatorSdkEnvironment(emulatorUrl: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_QUICKSIGHT: emulatorUrl,
    AWS_ENDPOINT_URL_DATAZONE: emulatorUrl,
    AWS_ENDPOINT_URL_STS: emulatorUrl,
    AWS_REGION: DEMO_REGION,
    AWS_ACCESS_KEY_ID: 'AKIDEMULATOR',
    AWS_SECRET_ACCESS_KEY: 'the-emulator-does-not-check-signatures',
  };
}

/**
 * Points this process's AWS SDK at the emulator, as any endpoint override would. The endpoints are
 * always set; a region or credentials already in the environment are kept.
 */
export function pointAwsSdkAtEmulator(emulatorUrl: string): void {
  for (const [name, value] of Object.entries(emulatorSdkEnvironment(emulatorUrl))) {
    if (name.startsWith('AWS_ENDPOINT_URL_') || process.env[name] === undefined) process.env[name] = value;
  }
}

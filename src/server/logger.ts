import { pino, type Logger } from 'pino';

/**
 * Paths pino blanks out wherever they appear in a log object. Tokens and every credential member
 * name of the two APIs, so that nothing secret reaches a log line even by accident.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  'authorization',
  '*.authorization',
  '*.accessKeyId',
  '*.secretAccessKey',
  '*.sessionToken',
  '*.password',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.jwtToken',
  '*.authorizationCode',
  '*.userManagedClientApplicationClientSecret',
  '*.connectionCredentials',
  '*.oAuth2Credentials',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = { level, redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' }, base: { service: 'aws-connections-subgraph' } };
  return destination ? pino(options, destination as never) : pino(options);
}

import { SignJWT } from 'jose';

/**
 * A bearer token for the demo launchers (`npm run demo`, `npm run supergraph`), signed with the
 * run's own HS256 secret: worthless outside that run, and valid for 12 hours.
 */
export function mintDemoToken(jwtSecret: string, subject: string, scopes: string[]): Promise<string> {
  return new SignJWT({ scope: scopes.join(' ') })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime('12h')
    .sign(new TextEncoder().encode(jwtSecret));
}

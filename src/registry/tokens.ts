// API tokens: the secret is shown once; only its sha256 is stored. What each role may do is
// ROLE_GRANTS in vocab.ts.
import { createHash, randomBytes } from 'node:crypto';
import type { ApiToken, PrismaClient } from './db.js';
import { InvalidInputError, NotFoundError } from './errors.js';
import { TOKEN_ROLES, isOneOf } from './vocab.js';

export type { ApiToken } from './db.js';

const SECRET_PREFIX = 'slk_';

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export class TokenService {
  /** Caches "does any token exist" for a few seconds: every request asks. */
  private anyCache: { value: boolean; at: number } | null = null;

  constructor(private readonly prisma: PrismaClient) {}

  /** Creates a token and returns its secret (the only time it is visible). */
  async create(name: string, role: string, expiresAt?: Date | null): Promise<{ token: ApiToken; secret: string }> {
    if (!isOneOf(TOKEN_ROLES, role)) throw new InvalidInputError('role', `must be one of ${TOKEN_ROLES.join(', ')}`);
    if (!/^.{1,100}$/.test(name)) throw new InvalidInputError('name', 'must be 1..100 characters');
    const secret = SECRET_PREFIX + randomBytes(24).toString('base64url');
    const token = await this.prisma.apiToken.create({ data: { name, role, hash: hashSecret(secret), expiresAt: expiresAt ?? null } });
    this.anyCache = null;
    return { token, secret };
  }

  /** The live token whose secret this is, or null (unknown, revoked or expired). */
  async authenticate(secret: string): Promise<ApiToken | null> {
    const token = await this.prisma.apiToken.findUnique({ where: { hash: hashSecret(secret) } });
    if (!token || token.revokedAt || (token.expiresAt && token.expiresAt.getTime() <= Date.now())) return null;
    if (!token.lastUsedAt || Date.now() - token.lastUsedAt.getTime() > 60_000) {
      await this.prisma.apiToken.update({ where: { id: token.id }, data: { lastUsedAt: new Date() } });
    }
    return token;
  }

  /** Whether any live token exists (then every request must carry one). */
  async anyActive(): Promise<boolean> {
    if (this.anyCache && Date.now() - this.anyCache.at < 2000) return this.anyCache.value;
    const n = await this.prisma.apiToken.count({ where: { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }] } });
    this.anyCache = { value: n > 0, at: Date.now() };
    return n > 0;
  }

  async list(): Promise<ApiToken[]> {
    return this.prisma.apiToken.findMany({ orderBy: { id: 'asc' } });
  }

  async revoke(id: number): Promise<ApiToken> {
    const token = await this.prisma.apiToken.findUnique({ where: { id } });
    if (!token) throw new NotFoundError('ApiToken', id);
    this.anyCache = null;
    return this.prisma.apiToken.update({ where: { id }, data: { revokedAt: token.revokedAt ?? new Date() } });
  }
}

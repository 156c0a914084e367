import type { Db } from '../../db/client.ts'
import { hashToken, newToken, sameSecret } from '../../lib/tokens.ts'
import { tokensRepository } from './tokens.repository.ts'

export type Role = 'admin' | 'organiser'

/** Who an organiser request comes from. */
export interface Principal {
  role: Role
  /** null for the bootstrap ADMIN_TOKEN */
  tokenId: string | null
  name: string
}

export function tokensService (db: Db, adminToken?: string) {
  const repo = tokensRepository(db)
  return {
    /** Creates a token; the secret is shown once and only its hash is stored. */
    async create (name: string, role: Role) {
      const token = newToken('ndw_org')
      const row = await repo.insert({ name, role, tokenHash: hashToken(token) })
      return { token, id: row.id, name: row.name, role: row.role, createdAt: row.createdAt }
    },
    list: repo.list,
    revoke: repo.revoke,
    /** The principal of an organiser token, or undefined when it opens nothing. */
    async authenticate (token: string): Promise<Principal | undefined> {
      if (adminToken && sameSecret(token, adminToken)) return { role: 'admin', tokenId: null, name: 'ADMIN_TOKEN' }
      if (!token.startsWith('ndw_org_')) return undefined
      const row = await repo.findActiveByHash(hashToken(token))
      return row ? { role: row.role, tokenId: row.id, name: row.name } : undefined
    },
  }
}

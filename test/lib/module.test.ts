import t from 'tap'
import { idempotencyScope } from '../../src/lib/module.ts'

t.test('idempotency keys are scoped by operation and caller, so callers cannot collide', async (t) => {
  const scopes = new Set([
    idempotencyScope('createWorkshop', null),
    idempotencyScope('createWorkshop', { tokenId: null }),
    idempotencyScope('createWorkshop', { tokenId: 'a' }),
    idempotencyScope('createWorkshop', { tokenId: 'b' }),
    idempotencyScope('createOrganisation', { tokenId: 'a' }),
    idempotencyScope('createRegistration', null, 'w1'),
    idempotencyScope('createRegistration', null, 'w2'),
  ])
  t.equal(scopes.size, 7)
})

import type Pusher = require('pusher')
import { hasEncryptionMasterKey } from '../config/client'
import type { Decorator } from '../decorator'
import type { AuthorizeContext } from './authorize'

/** What authorizing a channel needs: the client, the handlers and rules, and the master key's absence said once. */
export function authorizeContext (client: Pusher, { handlers, rules }: Decorator): AuthorizeContext {
  let warned = false
  return {
    client,
    handlers,
    rules,
    hasMasterKey: hasEncryptionMasterKey(client),
    encryptionNotConfigured: (request) => {
      if (warned) return
      warned = true
      request.log.warn('fastify-pusher: encrypted channels are refused (404): set the encryptionMasterKeyBase64 option ' +
        '(or PUSHER_ENCRYPTION_MASTER_KEY_BASE64) to serve private-encrypted-* channels. Said once.')
    }
  }
}

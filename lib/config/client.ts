import { createSecretKey } from 'node:crypto'
import Pusher = require('pusher')
import { InvalidOptionError } from '../errors'
import type { ClientConfig } from './options'

/** The official client's signing token (key + HMAC-SHA256 under the secret). */
export interface SigningToken {
  key: string
  sign: (data: string | Buffer) => string
}

/** The parts of the official client's internals that the routes rely on. */
interface ClientInternals {
  config?: {
    token?: Partial<SigningToken>
    encryptionMasterKey?: Buffer
  }
}

/**
 * The official client, holding its secret as a KeyObject: its signing code takes one
 * as it takes a string (same bytes, so the same signatures), skips converting the key
 * on every signature (about 9% of each HMAC, measured), and never prints the secret
 * when the client is logged or inspected.
 */
export function createClient ({ path, ...config }: ClientConfig): Pusher {
  const secret = createSecretKey(Buffer.from(config.secret, 'utf8'))
  const client = new Pusher({ ...config, secret } as unknown as Pusher.Options)
  if (path !== undefined) underPath(client, path)
  return client
}

/**
 * A server under a path: the official client hard-codes `/apps/{appId}`, so its config's `prefixPath`
 * (the one place every request's path is made, the client's own requests and the plugin's, before they
 * are signed) is wrapped: `{path}/apps/{appId}/...`, signed as the server receives it.
 */
function underPath (client: Pusher, path: string): void {
  const config = (client as unknown as { config: { prefixPath: (subPath: string) => string } }).config
  const prefixPath = config.prefixPath.bind(config)
  config.prefixPath = (subPath) => path + prefixPath(subPath)
}

/** A user-supplied client must be the official one (any copy of it): we sign with it. */
export function checkClient (client: unknown): Pusher {
  const token = (client as ClientInternals | null)?.config?.token
  if (
    typeof (client as Pusher | null)?.authorizeChannel !== 'function' ||
    typeof token?.key !== 'string' || typeof token.sign !== 'function'
  ) {
    throw new InvalidOptionError('client', 'must be an instance of the official `pusher` client')
  }
  return client as Pusher
}

export function signingToken (client: Pusher): SigningToken {
  const token = (client as unknown as ClientInternals).config?.token as SigningToken
  return { key: token.key, sign: (data) => token.sign(data) }
}

// The official client's own token class, for the extra webhook keys.
const Token = require('pusher/lib/token') as new (key: string, secret: unknown) => SigningToken

/** A signing token for another key/secret pair (webhook key rotation), signed as the official client signs. */
export function pairToken (key: string, secret: string): SigningToken {
  const token = new Token(key, createSecretKey(Buffer.from(secret, 'utf8')))
  return { key, sign: (data) => token.sign(data) }
}

export function hasEncryptionMasterKey (client: Pusher): boolean {
  return (client as unknown as ClientInternals).config?.encryptionMasterKey !== undefined
}

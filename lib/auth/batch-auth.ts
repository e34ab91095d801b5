import type { FastifyRequest } from 'fastify'
import { authorizeChannel, type AuthorizeContext } from './authorize'
import { clientErrorStatus } from '../call-handler'
import { MissingChannelNameError, TooManyChannelsError } from '../errors'
import {
  BATCH_FIELD_PATTERN, CHANNEL_NAME_MAX_LENGTH, CHANNEL_NAME_PATTERN, MAX_BATCH_CHANNELS,
  type BatchAuthResponse
} from '../schemas'

const batchField = new RegExp(BATCH_FIELD_PATTERN)
const channelNamePattern = new RegExp(CHANNEL_NAME_PATTERN)

const isChannelName = (name: string): boolean =>
  name.length <= CHANNEL_NAME_MAX_LENGTH && channelNamePattern.test(name)

/**
 * The distinct channel names of a pusher-js-auth batch body
 * (`channel_name[0]`, `channel_name[1]`, ...), in index order.
 */
export function batchChannelNames (body: Record<string, unknown>): string[] {
  if (body['channel_name[0]'] === undefined) throw new MissingChannelNameError()
  const fields: Array<[number, string]> = []
  for (const [field, value] of Object.entries(body)) {
    const index = batchField.exec(field)?.[1]
    if (index !== undefined) fields.push([Number(index), String(value)])
  }
  const names = [...new Set(fields.sort((a, b) => a[0] - b[0]).map(([, name]) => name))]
  if (names.length > MAX_BATCH_CHANNELS) throw new TooManyChannelsError(MAX_BATCH_CHANNELS, names.length)
  return names
}

/**
 * Authorizes every channel of a batch, each on its own: `{ status: 200, data }` or the
 * status it failed with. The auth handler runs once per distinct channel.
 */
export async function authorizeBatch (
  context: AuthorizeContext,
  request: FastifyRequest,
  names: string[],
  socketId: string
): Promise<BatchAuthResponse> {
  const results = await Promise.all(names.map(async (name) => {
    if (!isChannelName(name)) return { status: 400 }
    try {
      return { status: 200, data: await authorizeChannel(context, request, name, socketId) }
    } catch (error) {
      const status = clientErrorStatus(error) ?? 500
      if (status === 500) request.log.error({ err: error, channel: name }, 'fastify-pusher: batch auth failed for a channel')
      return { status }
    }
  }))
  // A null-prototype object: channel names such as "__proto__" stay plain keys.
  const answer: BatchAuthResponse = Object.create(null)
  names.forEach((name, i) => { answer[name] = results[i] })
  return answer
}

import type { FastifyRequest } from 'fastify'
import type { MaybePromise } from '../../types/index'
import { authorizeChannel, type AuthorizeContext } from './authorize'
import { clientErrorStatus, isPromiseLike } from '../call-handler'
import { MissingChannelNameError, TooManyChannelsError } from '../errors'
import {
  BATCH_FIELD_PATTERN, CHANNEL_NAME_MAX_LENGTH, CHANNEL_NAME_PATTERN, MAX_BATCH_CHANNELS,
  type BatchAuthResponse, type ChannelAuthResponse
} from '../schemas'

const batchField = new RegExp(BATCH_FIELD_PATTERN)
const channelNamePattern = new RegExp(CHANNEL_NAME_PATTERN)

const isChannelName = (name: string): boolean =>
  name.length <= CHANNEL_NAME_MAX_LENGTH && channelNamePattern.test(name)

/**
 * The distinct channel names of a pusher-js-auth batch body
 * (`channel_name[0]`, `channel_name[1]`, ...), in index order. The body is valid:
 * every batch field holds a string.
 */
export function batchChannelNames (body: Record<string, unknown>): string[] {
  if (body['channel_name[0]'] === undefined) throw new MissingChannelNameError()
  const fields: Array<[number, string]> = []
  let ordered = true
  for (const field in body) {
    if (!field.startsWith('channel_name[')) continue
    const index = batchField.exec(field)?.[1]
    if (index === undefined) continue
    const entry: [number, string] = [Number(index), body[field] as string]
    if (fields.length > 0 && fields[fields.length - 1][0] > entry[0]) ordered = false
    fields.push(entry)
  }
  if (!ordered) fields.sort((a, b) => a[0] - b[0])
  const names = [...new Set(fields.map(([, name]) => name))]
  if (names.length > MAX_BATCH_CHANNELS) throw new TooManyChannelsError(MAX_BATCH_CHANNELS, names.length)
  return names
}

type Outcome = BatchAuthResponse[string]

/**
 * Authorizes every channel of a batch, each on its own: `{ status: 200, data }` or the
 * status it failed with. The handlers run once per distinct channel, concurrently;
 * the answer is synchronous when every handler is.
 */
export function authorizeBatch (
  context: AuthorizeContext,
  request: FastifyRequest,
  names: string[],
  socketId: string
): MaybePromise<BatchAuthResponse> {
  const outcomes: Outcome[] = new Array(names.length)
  const failed = (name: string, error: unknown): Outcome => {
    const status = clientErrorStatus(error) ?? 500
    if (status === 500) request.log.error({ err: error, channel: name }, 'fastify-pusher: batch auth failed for a channel')
    return { status }
  }
  let pending: Array<PromiseLike<void>> | undefined
  for (let i = 0; i < names.length; i++) {
    const name = names[i]
    if (!isChannelName(name)) {
      outcomes[i] = { status: 400 }
      continue
    }
    let result: MaybePromise<ChannelAuthResponse>
    try {
      result = authorizeChannel(context, request, name, socketId)
    } catch (error) {
      outcomes[i] = failed(name, error)
      continue
    }
    if (isPromiseLike(result)) {
      (pending ??= []).push(result.then((data) => { outcomes[i] = { status: 200, data } }, (error) => { outcomes[i] = failed(name, error) }))
    } else {
      outcomes[i] = { status: 200, data: result }
    }
  }
  if (pending === undefined) return batchAnswer(names, outcomes)
  return Promise.all(pending).then(() => batchAnswer(names, outcomes))
}

function batchAnswer (names: string[], outcomes: Outcome[]): BatchAuthResponse {
  // A null-prototype object: channel names such as "__proto__" stay plain keys.
  const answer: BatchAuthResponse = Object.create(null)
  for (let i = 0; i < names.length; i++) answer[names[i]] = outcomes[i]
  return answer
}

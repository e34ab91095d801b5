import type { FastifyRequest } from 'fastify'
import type { MaybePromise } from '../../types/index'
import { authorizeChannel, type AuthorizeContext } from './authorize'
import { clientErrorStatus, isPromiseLike } from '../call-handler'
import { DuplicateFieldError, HandlerTimeoutError, InvalidBatchFieldError, MissingChannelNameError, TooManyChannelsError } from '../errors'
import { isFormBody } from './form-body'
import {
  BATCH_FIELD_PATTERN, CHANNEL_NAME_MAX_LENGTH, CHANNEL_NAME_PATTERN, MAX_BATCH_CHANNELS,
  type BatchAuthResponse, type ChannelAuthResponse
} from '../schemas/auth'

const batchField = new RegExp(BATCH_FIELD_PATTERN)
const channelNamePattern = new RegExp(CHANNEL_NAME_PATTERN)
/** `channel_name[0]` ... `channel_name[127]`, made once. */
const FIELD_NAMES = Array.from({ length: 128 }, (_, i) => `channel_name[${i}]`)
const fieldName = (i: number): string => FIELD_NAMES[i] ?? `channel_name[${i}]`

const isChannelName = (name: string): boolean =>
  name.length <= CHANNEL_NAME_MAX_LENGTH && channelNamePattern.test(name)

/** A batch field's value must be a string; a list means a form field given twice. */
function batchValue (body: object, field: string, value: unknown): string {
  if (typeof value === 'string') return value
  throw Array.isArray(value) && isFormBody(body) ? new DuplicateFieldError(field) : new InvalidBatchFieldError(field)
}

/**
 * The channel names of a pusher-js-auth batch body (`channel_name[0]`,
 * `channel_name[1]`, ...), in index order, duplicates included.
 */
export function batchChannelNames (body: Record<string, unknown>): string[] {
  if (body['channel_name[0]'] === undefined) throw new MissingChannelNameError()
  // What pusher-js-auth sends: socket_id and channel_name[0..n-1], nothing else.
  const names: string[] = []
  for (let i = 0, value = body[fieldName(0)]; value !== undefined; value = body[fieldName(++i)]) names.push(batchValue(body, fieldName(i), value))
  const sequential = Object.keys(body).length === names.length + 1
  const all = sequential ? names : scanBatchFields(body)
  if (all.length > MAX_BATCH_CHANNELS && new Set(all).size > MAX_BATCH_CHANNELS) {
    throw new TooManyChannelsError(MAX_BATCH_CHANNELS, new Set(all).size)
  }
  return all
}

/** Any other body: every `channel_name[N]` field, wherever it stands, sorted by N. */
function scanBatchFields (body: Record<string, unknown>): string[] {
  const fields: Array<[number, string]> = []
  for (const field in body) {
    const index = batchField.exec(field)?.[1]
    if (index !== undefined) fields.push([Number(index), batchValue(body, field, body[field])])
  }
  return fields.sort((a, b) => a[0] - b[0]).map(([, name]) => name)
}

type Outcome = BatchAuthResponse[string]
const INVALID_NAME: Outcome = Object.freeze({ status: 400 })
const PENDING: Outcome = Object.freeze({ status: 0 })

function failed (request: FastifyRequest, name: string, error: unknown): Outcome {
  const status = clientErrorStatus(error) ?? (error instanceof HandlerTimeoutError ? 503 : 500)
  if (status >= 500) request.log.error({ err: error, channel: name }, 'fastify-pusher: batch auth failed for a channel')
  return { status }
}

/**
 * Authorizes every distinct channel of a batch, each on its own: `{ status: 200, data }`
 * or the status it failed with, in the order given. The handlers run once per
 * distinct channel, concurrently; the answer is synchronous when every handler is.
 */
export function authorizeBatch (
  context: AuthorizeContext,
  request: FastifyRequest,
  names: string[],
  socketId: string
): MaybePromise<BatchAuthResponse> {
  // A plain object (JSON.stringify is faster on it than on a null-prototype one), so
  // "__proto__" is defined as an own key rather than assigned.
  const answer: BatchAuthResponse = {}
  let pending: Array<PromiseLike<void>> | undefined
  for (const name of names) {
    if (Object.hasOwn(answer, name)) continue
    if (name === '__proto__') Object.defineProperty(answer, name, { value: PENDING, enumerable: true, writable: true, configurable: true })
    if (!isChannelName(name)) {
      answer[name] = INVALID_NAME
      continue
    }
    let result: MaybePromise<ChannelAuthResponse>
    try {
      result = authorizeChannel(context, request, name, socketId)
    } catch (error) {
      answer[name] = failed(request, name, error)
      continue
    }
    if (isPromiseLike(result)) {
      answer[name] = PENDING // holds the key's place until the outcome is known
      pending ??= []
      pending.push(result.then((data) => { answer[name] = { status: 200, data } }, (error) => { answer[name] = failed(request, name, error) }))
    } else {
      answer[name] = { status: 200, data: result }
    }
  }
  return pending === undefined ? answer : Promise.all(pending).then(() => answer)
}

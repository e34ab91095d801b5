import formbody from '@fastify/formbody'
import { parse } from 'fast-querystring'
import type { FastifyInstance } from 'fastify'
import { DuplicateFieldError, EmptyBodyError } from '../errors'

/** Bodies that came from a form: there, a list can only mean a repeated field. */
const formBodies = new WeakSet<object>()

/**
 * The auth scope's parsers, in place of whatever the app registered: forms
 * (@fastify/formbody over fast-querystring, its own default) and JSON (Fastify's own).
 */
export async function authParsers (fastify: FastifyInstance): Promise<void> {
  fastify.removeAllContentTypeParsers()
  await fastify.register(formbody, {
    parser: (text: string) => {
      const body = parse(text)
      formBodies.add(body)
      return body
    }
  })
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, fastify.getDefaultJsonParser('error', 'error'))
}

export const isFormBody = (body: object): boolean => formBodies.has(body)

/**
 * A clearer answer than the schema's for a body that failed validation: no body at
 * all, or a form field given twice (which arrives as a list).
 */
export function explainBody (body: unknown): Error | undefined {
  if (body === undefined || body === null) return new EmptyBodyError()
  if (!formBodies.has(body as object)) return undefined
  for (const [field, value] of Object.entries(body)) {
    if (Array.isArray(value)) return new DuplicateFieldError(field)
  }
  return undefined
}

import { parse } from 'fast-querystring'
import type { FastifyInstance } from 'fastify'
import { DuplicateFieldError, EmptyBodyError } from '../errors'

/**
 * The auth scope's parsers, in place of whatever the app registered: forms, with
 * fast-querystring as @fastify/formbody does (but read as text, not as a Buffer then
 * turned into text: measured, a few percent of a request), and JSON (Fastify's own).
 */
export function authParsers (fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers()
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, text, done) => {
    done(null, parse(text as string))
  })
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, fastify.getDefaultJsonParser('error', 'error'))
}

/**
 * Whether a body came from a form, where a list can only mean a repeated field:
 * fast-querystring's objects do not inherit from Object.prototype, parsed JSON's do
 * (the tests of both answers would catch a change in either library).
 */
export const isFormBody = (body: object): boolean => Object.getPrototypeOf(body) !== Object.prototype

/**
 * A clearer answer than the schema's for a body that failed validation: no body at
 * all, or a form field given twice (which arrives as a list).
 */
export function explainBody (body: unknown): Error | undefined {
  if (body === undefined || body === null) return new EmptyBodyError()
  if (!isFormBody(body as object)) return undefined
  for (const [field, value] of Object.entries(body)) {
    if (Array.isArray(value)) return new DuplicateFieldError(field)
  }
  return undefined
}

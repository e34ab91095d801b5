import type { TSchema } from '@sinclair/typebox'
import type { FastifySchema } from 'fastify'
import { ErrorResponse } from './schemas'

/** The request content types the auth routes take, for the OpenAPI document. */
export const FORM_AND_JSON = ['application/x-www-form-urlencoded', 'application/json']

/** `{ 200: answer, 4xx/5xx: the error body }` for a route's OpenAPI responses. */
export function responses (answer: TSchema, errorStatuses: number[]): Record<number, TSchema> {
  const all: Record<number, TSchema> = { 200: answer }
  for (const status of errorStatuses) all[status] = ErrorResponse
  return all
}

interface ErrorBody { statusCode: number, code?: string, error: string, message: string }

/** Fastify hands an error status's serializer the error, its fields not enumerable: pick them. */
const serializeErrorBody = ({ statusCode, code, error, message }: ErrorBody): string =>
  JSON.stringify({ statusCode, code, error, message })

/**
 * The plugin builds every answer itself, so its routes serialize 200 answers with
 * JSON.stringify: the response schemas document the answers without a serializer
 * that must choose between the single and batch forms on every request.
 */
export const serializeAsJson = ({ httpStatus }: { httpStatus?: string }): (data: any) => string =>
  httpStatus === '200' ? JSON.stringify : serializeErrorBody

/** A route schema with OpenAPI fields (`summary`, `consumes`, `hide`, `tags`) that Fastify's own type does not list. */
export const routeSchema = (schema: FastifySchema & Record<string, unknown>): FastifySchema => schema

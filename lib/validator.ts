import Ajv from 'ajv'
import type { FastifySchemaCompiler } from 'fastify'

/**
 * The plugin's routes validate with their own Ajv, whatever the app configured:
 * no type coercion (a number is not a string, one value is not a list), no defaults,
 * nothing removed. Schemas are compiled once, when the routes are declared.
 */
const ajv = new Ajv({ coerceTypes: false, useDefaults: false, removeAdditional: false, allErrors: false, strict: false })

/** What the route validates with when its documented schema (OpenAPI) differs from the one checked. */
export interface ValidatorOptions {
  /** httpPart -> the schema to check instead of the route's own. */
  instead?: Partial<Record<string, object>>
  /** Given the data and the failed check, an error to answer instead of Ajv's (e.g. a clearer message). */
  explain?: (data: unknown) => Error | undefined
}

export function pluginValidator ({ instead = {}, explain }: ValidatorOptions = {}): FastifySchemaCompiler<object> {
  return ({ schema, httpPart }) => {
    const validate = ajv.compile(instead[String(httpPart)] ?? schema)
    if (explain === undefined) return validate
    const check = (data: unknown): boolean | { error: Error } => {
      if (validate(data)) return true
      const error = explain(data)
      if (error !== undefined) return { error }
      check.errors = validate.errors
      return false
    }
    check.errors = validate.errors
    return check
  }
}

import type { ChannelRuleHandler, ChannelType } from '../../types/index'
import { InvalidChannelPatternError } from '../errors'

/** A declared rule: its pattern compiled once, at declaration. */
export interface ChannelRule {
  pattern: string
  /** Matches the channel name without its `private-`, `private-encrypted-` or `presence-` prefix. */
  regex: RegExp
  handler: ChannelRuleHandler<string>
}

export interface RuleMatch {
  rule: ChannelRule
  params: Record<string, string>
}

const PREFIXES: ReadonlyArray<[string, ChannelType]> = [
  ['private-encrypted-', 'encrypted'],
  ['private-', 'private'],
  ['presence-', 'presence']
]

/** The kind of an authorizable channel, from its prefix; undefined for any other channel. */
export function channelType (channelName: string): ChannelType | undefined {
  for (const [prefix, type] of PREFIXES) if (channelName.startsWith(prefix)) return type
  return undefined
}

const prefixLength = { encrypted: 18, private: 8, presence: 9 } as const

const LITERAL = /^[A-Za-z0-9_\-=@,.;]$/
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/
const NO_PARAMS: Record<string, string> = Object.freeze(Object.create(null))

/**
 * `'orders.{orderId}'` -> /^orders\.(?<orderId>[^.]+)$/. Placeholders become named
 * groups, so a match's `groups` is the params object (with a null prototype: a
 * placeholder called `__proto__` is a plain key). Throws FST_PUSHER_INVALID_CHANNEL_PATTERN.
 */
export function compileChannelPattern (pattern: unknown): RegExp {
  const fail = (why: string): never => { throw new InvalidChannelPatternError(JSON.stringify(pattern), why) }
  if (typeof pattern !== 'string' || pattern === '') return fail('it must be a non-empty string')
  if (channelType(pattern) !== undefined) {
    return fail('leave out the private-, private-encrypted- or presence- prefix: one rule serves all three kinds of channel')
  }
  const names = new Set<string>()
  let source = ''
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]
    if (char === '{') {
      const end = pattern.indexOf('}', i)
      const name = end === -1 ? '' : pattern.slice(i + 1, end)
      if (end === -1 || name.includes('{')) fail(`the "{" at position ${i} is not closed`)
      if (!IDENTIFIER.test(name)) fail(`placeholder {${name}} must be named like a JavaScript identifier`)
      if (names.has(name)) fail(`placeholder {${name}} is used twice`)
      names.add(name)
      source += `(?<${name}>[^.]+)`
      i = end
    } else if (char === '}') {
      fail(`the "}" at position ${i} has no "{"`)
    } else if (!LITERAL.test(char)) {
      fail(`${JSON.stringify(char)} is not allowed in a channel name (A-Z a-z 0-9 _ - = @ , . ;)`)
    } else {
      source += /[A-Za-z0-9_,;@=]/.test(char) ? char : `\\${char}`
    }
  }
  return new RegExp(`^${source}$`)
}

/** The first rule, in declaration order, whose pattern matches the whole name (prefix left out). */
export function matchRule (rules: ChannelRule[], channelName: string, type: ChannelType): RuleMatch | undefined {
  const name = channelName.slice(prefixLength[type])
  for (const rule of rules) {
    const match = rule.regex.exec(name)
    if (match !== null) return { rule, params: match.groups ?? NO_PARAMS }
  }
  return undefined
}

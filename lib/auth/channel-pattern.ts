import { InvalidChannelPatternError } from '../errors'

/** A literal part of a pattern, or the name of a placeholder. */
type Segment = { literal: string, placeholder?: undefined } | { placeholder: string, literal?: undefined }

/** A channel pattern, compiled once at declaration. */
export interface ChannelPattern {
  pattern: string
  /** The text before the first "." when every name the pattern matches starts with it and a "."
   * (or is it): rules are looked up by it. Undefined when a placeholder comes first. */
  head: string | undefined
  /** Matches the name from `start` (just after its `private-`, `private-encrypted-` or `presence-`
   * prefix): the params, or undefined. */
  match: (name: string, start: number) => Record<string, string> | undefined
}

const LITERAL = /^[A-Za-z0-9_\-=@,.;]$/
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/
const PREFIXES = /^(?:private-|presence-)/

/**
 * `'orders.{orderId}.items.{itemId}'`: literal parts in the channel-name alphabet;
 * `{name}` matches one or more characters other than "."; the whole name must match.
 * Throws FST_PUSHER_INVALID_CHANNEL_PATTERN.
 */
export function compileChannelPattern (pattern: unknown): ChannelPattern {
  const fail = (why: string): never => { throw new InvalidChannelPatternError(JSON.stringify(pattern), why) }
  if (typeof pattern !== 'string' || pattern === '') return fail('it must be a non-empty string')
  if (PREFIXES.test(pattern)) {
    return fail('leave out the private-, private-encrypted- or presence- prefix: one rule serves all three kinds of channel')
  }
  const segments: Segment[] = []
  let source = ''
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]
    if (char === '{') {
      const end = pattern.indexOf('}', i)
      const name = end === -1 ? '' : pattern.slice(i + 1, end)
      if (end === -1 || name.includes('{')) fail(`the "{" at position ${i} is not closed`)
      if (!IDENTIFIER.test(name)) fail(`placeholder {${name}} must be named like a JavaScript identifier`)
      if (name === '__proto__') fail('placeholder {__proto__} is reserved: choose another name')
      if (segments.some((segment) => segment.placeholder === name)) fail(`placeholder {${name}} is used twice`)
      segments.push({ placeholder: name })
      source += `(?<${name}>[^.]+)`
      i = end
    } else if (char === '}') {
      fail(`the "}" at position ${i} has no "{"`)
    } else if (!LITERAL.test(char)) {
      fail(`${JSON.stringify(char)} is not allowed in a channel name (A-Z a-z 0-9 _ - = @ , . ;)`)
    } else {
      const last = segments[segments.length - 1]
      if (last?.literal !== undefined) last.literal += char
      else segments.push({ literal: char })
      source += /[A-Za-z0-9_,;@=]/.test(char) ? char : `\\${char}`
    }
  }
  const literalPrefix = segments[0].literal ?? ''
  const placeholders = segments.some((segment) => segment.placeholder !== undefined)
  return {
    pattern,
    head: literalPrefix.includes('.') || !placeholders ? literalPrefix.split('.')[0] : undefined,
    match: isSimple(segments) ? compileSegments(segments) : regexMatcher(new RegExp(`${source}$`, 'y'))
  }
}

/** Every placeholder is followed by a literal that starts with "." or by nothing: it ends at the next "." (or the end). */
const isSimple = (segments: Segment[]): boolean => segments.every((segment, i) =>
  segment.literal !== undefined || segments[i + 1] === undefined || segments[i + 1].literal?.startsWith('.') === true)

/**
 * The simple case, without a regular expression (no backtracking is ever needed),
 * compiled once into a function, as Fastify compiles its serializers: the literals
 * and placeholder names are checked above and embedded as JSON strings.
 */
function compileSegments (segments: Segment[]): ChannelPattern['match'] {
  let body = 'let at = start, dot = 0, end = 0\n'
  const fields: string[] = []
  segments.forEach((segment, i) => {
    if (segment.literal !== undefined) {
      body += `if (!name.startsWith(${JSON.stringify(segment.literal)}, at)) return undefined\nat += ${segment.literal.length}\n`
    } else {
      body += 'dot = name.indexOf(".", at); end = dot === -1 ? name.length : dot\n' +
        `if (end === at) return undefined\nconst p${i} = name.slice(at, end); at = end\n`
      fields.push(`${JSON.stringify(segment.placeholder)}: p${i}`)
    }
  })
  body += `return at === name.length ? { ${fields.join(', ')} } : undefined`
  // eslint-disable-next-line no-new-func
  return new Function('name', 'start', body) as ChannelPattern['match']
}

/** Any other pattern (e.g. `{a}-{b}`): a sticky regular expression with named groups. */
function regexMatcher (regex: RegExp): ChannelPattern['match'] {
  return (name, start) => {
    regex.lastIndex = start
    const match = regex.exec(name)
    return match === null ? undefined : { ...match.groups }
  }
}

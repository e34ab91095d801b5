import type { ChannelRuleHandler, ChannelType } from '../../types/index'
import { compileChannelPattern, type ChannelPattern } from './channel-pattern'

/** A declared rule. */
export interface ChannelRule extends ChannelPattern {
  /** How errors and logs name the rule: `channel rule "orders.{orderId}"`. */
  name: string
  handler: ChannelRuleHandler<string>
}

export interface RuleMatch {
  rule: ChannelRule
  params: Record<string, string>
}

/** The kind of an authorizable channel, from its prefix; undefined for any other channel. */
export function channelType (channelName: string): ChannelType | undefined {
  if (channelName.startsWith('private-')) return channelName.startsWith('encrypted-', 8) ? 'encrypted' : 'private'
  return channelName.startsWith('presence-') ? 'presence' : undefined
}

const PREFIX_LENGTH = { encrypted: 18, private: 8, presence: 9 } as const

/**
 * The channel rules, in declaration order. A name is tried only against the rules that
 * can match it: those whose pattern starts with the name's text before its first "."
 * (looked up in a map), and those whose pattern starts with a placeholder.
 */
export class ChannelRules {
  size = 0
  /** Rules that start with a placeholder: they may match any name. */
  private readonly open: ChannelRule[] = []
  /** head -> the rules that may match a name with that head, in declaration order. */
  private readonly byHead = new Map<string, ChannelRule[]>()

  /** Compiles `pattern` (throws FST_PUSHER_INVALID_CHANNEL_PATTERN) and adds the rule last. */
  add (pattern: unknown, handler: ChannelRuleHandler<string>): ChannelRule {
    const rule: ChannelRule = { ...compileChannelPattern(pattern), name: `channel rule ${JSON.stringify(pattern)}`, handler }
    if (rule.head === undefined) {
      this.open.push(rule)
      for (const rules of this.byHead.values()) rules.push(rule)
    } else {
      const rules = this.byHead.get(rule.head) ?? [...this.open]
      rules.push(rule)
      this.byHead.set(rule.head, rules)
    }
    this.size++
    return rule
  }

  /** The first rule, in declaration order, whose pattern matches the whole name (prefix left out). */
  match (channelName: string, type: ChannelType): RuleMatch | undefined {
    const start = PREFIX_LENGTH[type]
    const dot = channelName.indexOf('.', start)
    const rules = this.byHead.get(channelName.slice(start, dot === -1 ? channelName.length : dot)) ?? this.open
    for (const rule of rules) {
      const params = rule.match(channelName, start)
      if (params !== undefined) return { rule, params }
    }
    return undefined
  }
}

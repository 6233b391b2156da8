import type { BotConfig, BucketSource, OnDeny } from "../config/telegram.ts";
import type { UpdateFacts } from "./extract.ts";

export interface RuleMatch {
  /** The rule's name, or `rules[i]`, or `default`. */
  name: string;
  policies: string[];
  /** Where the update names the bucket of the rule's per-bucket policies. */
  bucketFrom?: BucketSource | undefined;
  onDeny: OnDeny;
}

type Match = BotConfig["rules"][number]["match"];

// Patterns are compiled once per config object, not once per update.
const compiled = new WeakMap<Match, RegExp>();

function pattern(match: Match): RegExp | undefined {
  if (match.textPattern === undefined) return undefined;
  let regexp = compiled.get(match);
  if (regexp === undefined) {
    regexp = new RegExp(match.textPattern, "u");
    compiled.set(match, regexp);
  }
  return regexp;
}

function commandMatches(match: Match, facts: UpdateFacts, username: string | undefined): boolean {
  if (match.commands === undefined) return true;
  if (facts.command === undefined) return false;
  // "/start@OtherBot" in a group is another bot's command.
  if (username && facts.commandTarget && facts.commandTarget !== username.toLowerCase()) {
    return false;
  }
  return match.commands.some((command) => command.toLowerCase() === facts.command);
}

function matches(match: Match, facts: UpdateFacts, username: string | undefined): boolean {
  if (match.updateTypes && !match.updateTypes.includes(facts.type)) return false;
  if (match.chatTypes && !(facts.chatType && match.chatTypes.includes(facts.chatType))) {
    return false;
  }
  if (!commandMatches(match, facts, username)) return false;
  if (match.callbackPrefix !== undefined && !facts.callbackData?.startsWith(match.callbackPrefix)) {
    return false;
  }
  const regexp = pattern(match);
  return regexp === undefined || (facts.text !== undefined && regexp.test(facts.text));
}

/** The first rule whose every condition holds, else the bot's default. */
export function matchRule(bot: BotConfig, facts: UpdateFacts): RuleMatch {
  const index = bot.rules.findIndex((rule) => matches(rule.match, facts, bot.username));
  const rule = bot.rules[index];
  if (rule === undefined) return { name: "default", ...bot.default };
  const { policies, bucketFrom, onDeny } = rule;
  return { name: rule.name ?? `rules[${index}]`, policies, bucketFrom, onDeny };
}

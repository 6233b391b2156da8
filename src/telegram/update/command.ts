import type { Facts } from "./facts.ts";
import { getInteger, getString } from "./read.ts";

// Telegram only links commands of Latin letters, digits and "_"; the bound keeps the command
// usable as a key part.
const COMMAND = /^\/([a-z0-9_]{1,64})(?:@([a-z0-9_]{1,64}))?$/i;
const FIRST_WORD = /^\S+/;

function isLeadingCommand(entity: unknown): boolean {
  return getString(entity, "type") === "bot_command" && getInteger(entity, "offset") === 0;
}

/** The entity says where the command ends ("/start,x"); without one, the first word does. */
function commandToken(text: string, entities: unknown): string | undefined {
  if (!text.startsWith("/")) return undefined;
  const entity = Array.isArray(entities) ? entities.find(isLeadingCommand) : undefined;
  const length = getInteger(entity, "length");
  if (length !== undefined && length > 1) return text.slice(0, length);
  return FIRST_WORD.exec(text)?.[0];
}

export function commandFacts(text: string | undefined, entities: unknown): Facts {
  if (text === undefined) return {};
  const token = commandToken(text, entities);
  const match = token === undefined ? null : COMMAND.exec(token);
  const name = match?.[1];
  if (name === undefined) return {};
  return { command: `/${name.toLowerCase()}`, commandTarget: match?.[2]?.toLowerCase() };
}

// The session's conversation as it is sent back to the model: the history blocks, the moving cache breakpoint, and
// text added to the user's side between turns (people's messages).
import type Anthropic from '@anthropic-ai/sdk';

/** A moving cache breakpoint on the newest message, so each turn reads the previous turns from the cache. */
export function withConversationBreakpoint(messages: Anthropic.MessageParam[]): Anthropic.MessageParam[] {
  const last = messages[messages.length - 1];
  if (!Array.isArray(last.content) || last.content.length === 0) return messages;
  const blocks = [...last.content];
  const tail = blocks[blocks.length - 1];
  blocks[blocks.length - 1] = { ...tail, cache_control: { type: 'ephemeral' } } as Anthropic.ContentBlockParam;
  return [...messages.slice(0, -1), { ...last, content: blocks } as Anthropic.MessageParam];
}

/** The response blocks sent back as history (response-only fields such as citations: null and caller dropped). */
export function toParam(block: Anthropic.ContentBlock): Anthropic.ContentBlockParam | null {
  switch (block.type) {
    case 'text':
      return { type: 'text', text: block.text };
    case 'tool_use':
      return { type: 'tool_use', id: block.id, name: block.name, input: block.input };
    case 'thinking':
      return { type: 'thinking', thinking: block.thinking, signature: block.signature };
    case 'redacted_thinking':
      return { type: 'redacted_thinking', data: block.data };
    default:
      return null;
  }
}

/** Adds blocks to the conversation's last user turn (the tool results waiting to be sent), or as a new user turn. */
export function addUserBlocks(messages: Anthropic.MessageParam[], blocks: Anthropic.TextBlockParam[]): void {
  const last = messages[messages.length - 1];
  if (last.role === 'user') last.content = [...(typeof last.content === 'string' ? [{ type: 'text' as const, text: last.content }] : last.content), ...blocks];
  else messages.push({ role: 'user', content: blocks });
}

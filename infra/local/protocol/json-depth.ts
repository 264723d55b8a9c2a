/**
 * AWS's JSON deserializers refuse documents nested deeper than they allow with a
 * SerializationException. Local AWS does the same at the edge, before any service walks the
 * document recursively (redaction, CloudTrail, the bus) and overflows its stack.
 */
export const MAX_JSON_DEPTH = 1000;

/**
 * True when `body`, read as JSON text, opens more than `limit` objects or arrays at once.
 * One pass over the bytes, no parse: brackets inside strings do not count.
 */
export function nestsDeeperThan(body: Buffer, limit = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === 0x5c)
        i++; // a backslash escapes the next byte
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x7b || byte === 0x5b) {
      depth++;
      if (depth > limit) return true;
    } else if (byte === 0x7d || byte === 0x5d) depth--;
  }
  return false;
}

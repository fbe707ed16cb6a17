// asciicast v2 (what exec recording writes): a JSON header line, then one
// [seconds, "o"|"i", "text"] event per line. Only output is played back.

export interface Cast { width: number; height: number; events: [number, string][] }

export function parseCast(text: string): Cast {
  const [head = "{}", ...lines] = text.split("\n");
  const header = JSON.parse(head) as { width?: number; height?: number };
  const events: [number, string][] = [];
  for (const line of lines) {
    if (!line.trim()) continue;
    const [time, kind, data] = JSON.parse(line) as [number, string, string];
    if (kind === "o") events.push([time, data]);
  }
  return { width: header.width ?? 80, height: header.height ?? 24, events };
}

/** Pauses longer than this are cut short, as `asciinema play -i` does. */
export const MAX_IDLE_S = 1;

/** When each event plays, in seconds from the start, with long pauses cut. */
export function schedule(cast: Cast): number[] {
  let at = 0;
  let last = 0;
  return cast.events.map(([time]) => {
    at += Math.min(Math.max(time - last, 0), MAX_IDLE_S);
    last = time;
    return at;
  });
}

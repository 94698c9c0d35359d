/**
 * Drops a payload identical to the previous one on the same topic within a
 * window: sensors and bridges that repeat a message several times a second
 * would otherwise count (and, without a payload timestamp, store) it many
 * times. Bounded: past `maxTopics` the oldest topics are forgotten.
 */
export class Deduper {
  private readonly last = new Map<string, { payload: Buffer; at: number }>();

  constructor(
    private readonly windowMs: number,
    private readonly maxTopics = 100_000,
  ) {}

  /**
   * Forgets the topic's last payload: called when the message that set it was
   * not accepted after all (the store refused), so its retry is not mistaken
   * for a repeat and acknowledged without being stored.
   */
  forget(topic: string): void {
    this.last.delete(topic);
  }

  /** true when this message repeats the previous one on its topic inside the window */
  isDuplicate(topic: string, payload: Buffer, at: number): boolean {
    if (this.windowMs <= 0) return false;
    const prev = this.last.get(topic);
    if (prev && at - prev.at <= this.windowMs && prev.payload.equals(payload)) return true;
    if (prev)
      this.last.delete(topic); // re-insert to keep Map order ≈ recency
    else if (this.last.size >= this.maxTopics) this.last.delete(this.last.keys().next().value as string);
    // The payload buffer may be reused by the MQTT parser: keep a copy.
    this.last.set(topic, { payload: Buffer.from(payload), at });
    return false;
  }
}

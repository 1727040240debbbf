/** What a bundled Lambda entry exports, as the benchmark calls it. */
export type Handler = (
  event: unknown,
  context: unknown,
) => Promise<{ statusCode: number; body: string }>;

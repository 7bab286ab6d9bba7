/** The floor benchmark's local activity: returns at once (the product's writes and look-ups are left out on purpose). */
export function transition(input: { step: number; payload: string }): Promise<{ step: number; payload: string }> {
  return Promise.resolve(input);
}

import { vi } from "vitest";

/** A local stand-in for a provider's API (stripe-stand-in.ts, razorpay-stand-in.ts). */
export interface ProviderStandIn {
  readonly origin: string;
  serve(request: Request, signal?: AbortSignal): Promise<Response>;
}

/**
 * Routes this isolate's fetches of the stand-in's origin to it (other fetches go through),
 * the way webhooks-receiver.ts answers for its URL: the code under test runs in the test's
 * isolate, so a provider's gateway reaches the stand-in as it would reach the provider.
 */
export function answerFetchesWith(standIn: ProviderStandIn): void {
  const original = globalThis.fetch.bind(globalThis);
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    if (new URL(request.url).origin !== standIn.origin) return original(input, init);
    return standIn.serve(request, init?.signal ?? undefined);
  });
}

import { QueryClient } from '@tanstack/react-query';

const MAX_RETRIES = 2;

/**
 * react-query retries every failed query three times with backoff by default, so a 404 or
 * 403 took seconds to show and a revoked token kept hitting the API after sign-out.
 * Retry only what may succeed next time: network failures and 5xx.
 */
export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      retry: (failures, error) => {
        const status = (error as { status?: unknown } | null)?.status;
        // fetch() rejects with a TypeError when the network fails; other errors without a
        // status (auth provider errors) will not succeed on a retry either.
        const transient = typeof status === 'number' ? status >= 500 : error instanceof TypeError;
        return transient && failures < MAX_RETRIES;
      },
    },
  },
});

import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ScrollRestoration } from 'react-router';
import { RouterProvider } from 'react-router/dom';
import { App } from './app';
import { AuthProvider } from './lib/auth';
import { createAppRouter } from './lib/router';
import { applyTheme, storedTheme } from './lib/theme';
import { ToastProvider } from './lib/toast';
import './styles/base.css';
import './styles/components.css';
import './styles/pages.css';

applyTheme(storedTheme());

// The server's answers, cached for the session: a page that comes back shows what it had at once (and
// refreshes it behind). No automatic retries: a failure shows at once with its own Retry.
const queryClient = new QueryClient({ defaultOptions: { queries: { staleTime: 30_000, retry: false } } });
// One route for every path under /app/ (the app picks the page): inside the router, so everything can link.
// ScrollRestoration puts each history entry's scroll position back on back/forward; a new page starts at the top.
const router = createAppRouter([
  {
    path: '*',
    element: (
      <ToastProvider>
        <AuthProvider>
          <ScrollRestoration />
          <App />
        </AuthProvider>
      </ToastProvider>
    ),
  },
]);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);

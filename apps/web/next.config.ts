import type { NextConfig } from 'next';

const config: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // The monorepo root holds the lock file; the app is traced from here.
  turbopack: { root: new URL('../..', import.meta.url).pathname },
};

export default config;

/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The gateway's base URL; default: the page's own origin. */
  readonly VITE_GATEWAY_URL?: string;
}
